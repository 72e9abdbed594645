//! Prints a structured fuzz input as the operations it stands for, to read a crash of
//! `sync_session` or `intake_reader`:
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example show -- sync_session fuzz/artifacts/sync_session/crash-…
//! ```

use arbitrary::{Arbitrary, Unstructured};
use fieldclinic_fuzz::doc_script::{AUTOMERGE_MAGIC, DocScript};
use fieldclinic_fuzz::sync_script::SyncScript;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, file] = args.as_slice() else {
        eprintln!("usage: show sync_session|intake_reader FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(file).expect("the input file reads");
    match target.as_str() {
        "sync_session" => {
            let script = SyncScript::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
            println!("tight: {}", script.tight);
            for op in &script.ops {
                println!("{op:?}");
            }
        }
        "intake_reader" if data.starts_with(&AUTOMERGE_MAGIC) => {
            println!("a saved Automerge document ({} bytes)", data.len());
        }
        "intake_reader" => {
            let script = DocScript::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
            for op in &script.ops {
                println!("{op:?}");
            }
        }
        other => {
            eprintln!("{other}: only sync_session and intake_reader inputs are scripts");
            std::process::exit(2);
        }
    }
}

use clap::Parser;
use fieldclinic_loadtool::floor::{self, FloorArgs};

fn main() -> anyhow::Result<()> {
    let args = FloorArgs::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(floor::run(&args))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", floor::summary(&result));
    }
    Ok(())
}

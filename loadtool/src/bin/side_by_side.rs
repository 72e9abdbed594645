use clap::Parser;
use fieldclinic_loadtool::side_by_side::{self, SideBySideArgs};

fn main() -> anyhow::Result<()> {
    let args = SideBySideArgs::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let runs = runtime.block_on(side_by_side::run(&args))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
    } else {
        print!("{}", side_by_side::summary(&runs));
    }
    Ok(())
}

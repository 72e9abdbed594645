use std::process::ExitCode;

use clap::Parser;
use fieldclinic_loadtool::loadtest::{self, LoadtestArgs};

fn main() -> anyhow::Result<ExitCode> {
    let args = LoadtestArgs::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(loadtest::run(&args))?;
    Ok(ExitCode::SUCCESS)
}

use std::process::ExitCode;

use clap::Parser;
use fieldclinic_server::cli::{AdminCommand, Cli, Command, EligibilityCommand, SchemaCommand};
use fieldclinic_server::commands::{self, CheckOutcome};
use fieldclinic_server::configuration::{self, Overrides, Settings};
use fieldclinic_server::startup::Application;
use fieldclinic_server::telemetry::{get_subscriber, init_subscriber};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, "fatal");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings(config: Option<&std::path::Path>, overrides: &Overrides) -> anyhow::Result<Settings> {
    let s = configuration::get_configuration(config, overrides)?;
    init_subscriber(get_subscriber(&s.log.filter, s.log.format, std::io::stderr));
    Ok(s)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides {
                bind: args.bind,
                database_url: args.db.database_url,
                tls_cert: args.tls_cert,
                tls_key: args.tls_key,
                behind_tls_proxy: args.behind_tls_proxy,
            };
            let s = settings(args.db.config.as_deref(), &overrides)?;
            actix_web::rt::System::new()
                .block_on(async move { Application::build(s).await?.run_until_stopped().await })?;
        }
        Command::Migrate(db) => {
            let overrides = Overrides {
                database_url: db.database_url,
                ..Overrides::default()
            };
            let s = settings(db.config.as_deref(), &overrides)?;
            runtime()?.block_on(commands::migrate(&s))?;
            eprintln!("migrations applied");
        }
        Command::Schema(SchemaCommand::Export) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&fieldclinic_schema::intake_json_schema())?
            );
        }
        Command::Eligibility(EligibilityCommand::Check { file, format }) => {
            match commands::eligibility_check(file.as_deref(), format)? {
                CheckOutcome::Printed(out) => println!("{out}"),
                CheckOutcome::BadInput(message) => {
                    eprintln!("error: {message}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Eligibility(EligibilityCommand::Reevaluate {
            db,
            progress_file,
            restart,
            quiet,
        }) => {
            let overrides = Overrides {
                database_url: db.database_url,
                ..Overrides::default()
            };
            let s = settings(db.config.as_deref(), &overrides)?;
            let n =
                runtime()?.block_on(commands::reevaluate(&s, &progress_file, restart, quiet))?;
            eprintln!("{n} intakes re-evaluated");
        }
        Command::PrintDefaultConfig => print!("{}", configuration::DEFAULT_CONFIG),
        Command::Admin(command) => {
            let db = match &command {
                AdminCommand::CreateClinic { db, .. }
                | AdminCommand::CreateUser { db, .. }
                | AdminCommand::EnrollDevice { db, .. }
                | AdminCommand::RevokeDevice { db, .. }
                | AdminCommand::Audit { db, .. } => db,
            };
            let overrides = Overrides {
                database_url: db.database_url.clone(),
                ..Overrides::default()
            };
            let s = settings(db.config.as_deref(), &overrides)?;
            let out = runtime()?.block_on(fieldclinic_server::admin_cli::run(&s, command))?;
            println!("{out}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

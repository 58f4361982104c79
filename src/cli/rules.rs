//! `codomyrmex rules test [DIR…]`: runs annotated rule samples and prints pass/fail per rule.

use std::path::PathBuf;

use crate::rules::{RuleSet, RuleSource, SeverityOverrides, testing};

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Run annotated samples (`ruleid:` / `ok:` comments) against the rules.
    Test {
        /// Sample files or directories (default: tests/rules).
        dirs: Vec<PathBuf>,
        /// Extra rule directories (same layout as the user config dir) to load after the built-in packs.
        #[arg(long = "rules")]
        rule_dirs: Vec<PathBuf>,
        /// Fail when a loaded rule has no sample.
        #[arg(long)]
        strict: bool,
        /// Print only failures and the summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// List the loaded rules.
    List,
}

pub fn run(cmd: RulesCommand) -> anyhow::Result<i32> {
    match cmd {
        RulesCommand::Test {
            dirs,
            rule_dirs,
            strict,
            quiet,
        } => {
            let mut sources = vec![RuleSource::Embedded];
            sources.extend(rule_dirs.into_iter().map(|root| RuleSource::Dir {
                root,
                label: "extra".into(),
            }));
            let rules = RuleSet::load(&sources, SeverityOverrides::new());
            rules.compile_all();
            let dirs = if dirs.is_empty() {
                vec![PathBuf::from("tests/rules")]
            } else {
                dirs
            };
            let report = testing::run(&rules, &dirs)?;
            let mut failed = 0usize;
            for err in rules.errors() {
                println!("ERROR {err}");
                failed += 1;
            }
            for (id, cases) in report.passed_rules() {
                if !quiet {
                    println!(
                        "PASS  {id} ({cases} case{})",
                        if *cases == 1 { "" } else { "s" }
                    );
                }
            }
            for (id, failures) in &report.failures {
                println!("FAIL  {id}");
                for f in failures {
                    println!("        {}:{}: {}", f.file.display(), f.line, f.what);
                }
                failed += 1;
            }
            for f in &report.unknown {
                println!("FAIL  {}:{}: {}", f.file.display(), f.line + 1, f.what);
                failed += 1;
            }
            let untested = report.untested(&rules);
            for id in &untested {
                println!(
                    "{} {id} has no samples",
                    if strict { "FAIL " } else { "note:" }
                );
            }
            if strict {
                failed += untested.len();
            }
            let passed = report.passed_rules().count();
            println!("{passed} passed, {failed} failed");
            Ok(i32::from(failed > 0))
        }
        RulesCommand::List => {
            let rules = RuleSet::load(
                &RuleSet::sources_for(std::env::current_dir().ok().as_deref()),
                SeverityOverrides::new(),
            );
            rules.compile_all();
            for rule in rules.rules() {
                let langs: Vec<&str> = rule.langs.iter().map(|l| l.name()).collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    rule.id(),
                    rule.meta.severity.as_str(),
                    langs.join(","),
                    rule.meta.cwe.join(",")
                );
            }
            for err in rules.errors() {
                eprintln!("codomyrmex: rule error: {err}");
            }
            Ok(i32::from(!rules.errors().is_empty()))
        }
    }
}

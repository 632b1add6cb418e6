//! The command line: what users and scripts type. Changes here are CHANGELOG
//! entries.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "asterisk-harden",
    version,
    about = "Harden an Asterisk VoIP server against SIP scanners and toll fraud, safely",
    long_about = "Harden an Asterisk VoIP server against SIP scanners and toll fraud, safely.\n\n\
        Builds the iptables rules of the well-known \"secret SIP hostname\" recipe (scanner user \
        agents banned in the raw table, phones whitelisted by the hostname they register with, \
        port-scan traps, bogon filtering) for this host, without the recipe's traps.\n\n\
        Exit codes: 0 done; 1 failed (and restored); 2 bad input or usage (nothing changed); \
        3 not confirmed in time (reverted)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the ruleset in iptables-restore format (changes nothing)
    #[command(
        after_help = "Example:\n  asterisk-harden render --answers /etc/asterisk-harden/answers.toml > rules.v4\n  \
        asterisk-harden render --answers answers.toml --family ipv6 | ip6tables-restore --test"
    )]
    Render {
        /// The answers file (TOML)
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// Which ruleset to print
        #[arg(long, value_enum, default_value_t = FamilyArg::Ipv4)]
        family: FamilyArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FamilyArg {
    Ipv4,
    Ipv6,
}

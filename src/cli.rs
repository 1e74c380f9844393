//! The command line (SPEC.md "Command line"), parsed with clap.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::limits;

/// `tlscope --version`: the crate version and, when built from a git checkout, the commit
/// (`build.rs`; `TLSCOPE_GIT_COMMIT` overrides it for builds from a tarball).
pub const VERSION: &str = env!("TLSCOPE_VERSION");

#[derive(Debug, Parser)]
#[command(
    name = "tlscope",
    version = VERSION,
    about = "Passive port-443 TLS analyzer: handshakes, verdicts and timing, without decrypting anything",
    after_help = "Shell completions: tlscope completions SHELL; man pages: tlscope man [--dir DIR].",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse saved captures (pcap or pcapng; `-` reads stdin).
    Read(ReadArgs),
    /// Analyse a live interface (needs capture privileges).
    Live(LiveArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    #[command(hide = true)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, or write one page per command into --dir.
    #[command(hide = true)]
    Man {
        /// Write tlscope.1, tlscope-read.1 and tlscope-live.1 into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

/// What `read` and `live` write on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// JSON Lines: session records, then a stats record (SPEC.md; same as --json).
    Jsonl,
    /// The human report, at the end.
    Report,
    /// Suricata EVE JSON: one tls/quic (or flow) event per connection, then a stats event.
    Eve,
    /// Zeek ssl.log, tab-separated with Zeek's header and #close.
    Zeek,
    /// Zeek ssl.log as JSON objects, one per line.
    ZeekJson,
}

/// `--json` and `--format` together: `--json` is `--format jsonl`; anything else conflicts.
pub fn output_format(
    json: bool,
    format: Option<OutputFormat>,
) -> Result<Option<OutputFormat>, String> {
    match (json, format) {
        (true, Some(f)) if f != OutputFormat::Jsonl => Err(format!(
            "--json means --format jsonl; it cannot be combined with --format {}",
            f.to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        )),
        (true, _) => Ok(Some(OutputFormat::Jsonl)),
        (false, f) => Ok(f),
    }
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Capture files, read in the order given; `-` for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Print JSON Lines (session records, then a stats record) instead of the report.
    #[arg(long)]
    pub json: bool,
    /// Output format (default: the report; --json is --format jsonl).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
    /// BPF filter applied to every frame (tcpdump syntax).
    #[arg(short = 'f', long = "filter", value_name = "BPF")]
    pub filter: Option<String>,
    /// Replay the capture through the dashboard.
    #[arg(long)]
    pub tui: bool,
    /// Replay speed for --tui (1 = recorded pace, 0 = as fast as possible).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Also write a self-contained HTML report to FILE (beside the output on stdout).
    #[arg(long, value_name = "FILE", conflicts_with = "tui")]
    pub html: Option<String>,
    /// No progress bar on stderr (shown only when stderr is a terminal).
    #[arg(long = "no-progress", visible_alias = "quiet")]
    pub no_progress: bool,
    /// Show only these connections, each as a packet timeline: an address (10.0.0.5,
    /// 10.0.0.5:51234, [2001:db8::1]:443) on either side, or a server name (www.example.com,
    /// *.example.com). Repeatable. With --json: only their records, timelines included.
    #[arg(long = "conn", value_name = "ADDR|SNI")]
    pub conn: Vec<String>,
    /// Add each connection's packet timeline to its JSON record (`timeline`; QUIC: datagrams).
    #[arg(long)]
    pub timeline: bool,
    /// Copy every payload to the analysis, also of connections whose handshake is decided
    /// (for checking the bypass; the records are the same).
    #[arg(long, hide = true)]
    pub no_bypass: bool,
    /// Analysis threads: flows are sharded among them (capture and decoding run on a thread of
    /// their own). The records are the same, in the same order, as with one.
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=crate::shard::MAX_THREADS as i64))]
    pub threads: u16,
    /// Write every frame of every connection with a problem (outcome other than established,
    /// or a named problem) to this capture file: pcap for one link type, else pcapng.
    #[arg(long, value_name = "OUT")]
    pub write_problems: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Interface to capture on (default: libpcap's default device).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Option<String>,
    /// BPF filter (replaces the default `tcp port 443 or udp port 443`).
    #[arg(short = 'f', long = "filter", value_name = "BPF")]
    pub filter: Option<String>,
    /// Stream JSON Lines instead of opening the dashboard.
    #[arg(long)]
    pub json: bool,
    /// Stream this format instead of opening the dashboard (--json is --format jsonl; the
    /// report is printed when the capture stops).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
    /// Do not open the dashboard.
    #[arg(long)]
    pub no_tui: bool,
    /// Put the interface in promiscuous mode.
    #[arg(long)]
    pub promisc: bool,
    /// Add each connection's packet timeline to its JSON record (`timeline`; QUIC: datagrams).
    #[arg(long)]
    pub timeline: bool,
    /// When started as root, switch to this user once the capture is open (like tcpdump -Z).
    /// Defaults to `nobody` when it exists; `--user root` keeps root.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct LimitArgs {
    /// Flows tracked at once; when full the least recently active eighth is evicted.
    #[arg(long, default_value_t = limits::DEFAULT_MAX_FLOWS, value_name = "N")]
    pub max_flows: usize,
    /// Handshake bytes reassembled per direction.
    #[arg(long, default_value_t = limits::DEFAULT_MAX_HANDSHAKE_BYTES, value_name = "BYTES")]
    pub max_handshake_bytes: usize,
    /// Seconds of packet time without traffic after which a flow is closed and written.
    #[arg(long, default_value_t = limits::DEFAULT_IDLE_TIMEOUT_SECS, value_name = "SECS")]
    pub idle_timeout: u64,
}

/// `tlscope completions SHELL`: the completion script for the real command line.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "tlscope", out);
}

/// `tlscope man`: the man page on `out`, or one page per visible command in `dir`.
pub fn write_man(
    dir: Option<&std::path::Path>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use clap::CommandFactory;
    match dir {
        Some(d) => clap_mangen::generate_to(Cli::command(), d),
        None => clap_mangen::Man::new(Cli::command()).render(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_an_alias_of_format_jsonl() {
        assert_eq!(output_format(false, None), Ok(None));
        assert_eq!(output_format(true, None), Ok(Some(OutputFormat::Jsonl)));
        assert_eq!(
            output_format(true, Some(OutputFormat::Jsonl)),
            Ok(Some(OutputFormat::Jsonl))
        );
        assert_eq!(
            output_format(false, Some(OutputFormat::ZeekJson)),
            Ok(Some(OutputFormat::ZeekJson))
        );
        let err = output_format(true, Some(OutputFormat::Eve)).unwrap_err();
        assert!(err.contains("--format eve"), "{err}");
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

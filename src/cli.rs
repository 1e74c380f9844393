//! The command line (SPEC.md "Command line"), parsed with clap.

use clap::{Args, Parser, Subcommand};

use crate::limits;

#[derive(Debug, Parser)]
#[command(
    name = "tlscope",
    version,
    about = "Passive port-443 TLS analyzer: handshakes, verdicts and timing, without decrypting anything",
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
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Capture files, read in the order given; `-` for stdin.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Print JSON Lines (session records, then a stats record) instead of the report.
    #[arg(long)]
    pub json: bool,
    /// BPF filter applied to every frame (tcpdump syntax).
    #[arg(short = 'f', long = "filter", value_name = "BPF")]
    pub filter: Option<String>,
    /// Replay the capture through the dashboard.
    #[arg(long)]
    pub tui: bool,
    /// Replay speed for --tui (1 = recorded pace, 0 = as fast as possible).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Also write a self-contained HTML report to FILE (beside --json or the report on stdout).
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
    /// Add each TCP connection's packet timeline to its JSON record (`timeline`).
    #[arg(long)]
    pub timeline: bool,
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
    /// Do not open the dashboard.
    #[arg(long)]
    pub no_tui: bool,
    /// Put the interface in promiscuous mode.
    #[arg(long)]
    pub promisc: bool,
    /// Add each TCP connection's packet timeline to its JSON record (`timeline`).
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

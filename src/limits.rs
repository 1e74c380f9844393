//! Every bound in tlscope, with its unit and the reason for its value. Packet data is hostile:
//! nothing grows without one of these limits, and every overflow is counted in `stats`.
//! The defaults are listed in the README; the ones a user may want to change have flags.

/// Flows tracked at once (both TCP and UDP). About 1 KiB each while the handshake is
/// undecided, a few hundred bytes after; 1 M flows stays well under 1 GiB. When full, the
/// least recently active eighth is evicted (counted, and their records written).
pub const DEFAULT_MAX_FLOWS: usize = 1_000_000;

/// Handshake bytes reassembled per direction (bytes). A ClientHello with post-quantum key
/// shares is ~2 KB and a TLS 1.2 server flight with a long chain ~10–20 KB; 64 KiB covers
/// both with room. Past it, the direction is abandoned (counted).
pub const DEFAULT_MAX_HANDSHAKE_BYTES: usize = 64 * 1024;

/// Out-of-order segments held per direction while waiting for a hole to fill (segments).
/// Each insertion is O(log n); past this, further out-of-order segments are dropped (counted).
pub const MAX_PENDING_SEGMENTS: usize = 256;

/// One handshake message (bytes). Messages larger than this are skipped, not buffered
/// (certificates are bounded by the per-direction budget anyway); hellos larger than this are
/// counted as oversized.
pub const MAX_HANDSHAKE_MESSAGE: usize = 64 * 1024;

/// A TLS record's length field (bytes): 2^14 plaintext + 2048 expansion (RFC 5246 §6.2.3) plus
/// slack for non-conforming stacks. Longer means "not TLS" or corruption.
pub const MAX_RECORD_LEN: usize = 16384 + 2048 + 256;

/// Extensions read from one hello (count). Real hellos carry < 30.
pub const MAX_EXTENSIONS: usize = 128;

/// Entries kept from any list in a hello (ciphers, groups, versions, ...) (count).
pub const MAX_LIST_ENTRIES: usize = 512;

/// ALPN names kept from one ClientHello (count).
pub const MAX_ALPN_ENTRIES: usize = 32;

/// ClientHellos kept per connection (count): the first and the one after a HelloRetryRequest.
pub const MAX_CLIENT_HELLOS: usize = 2;

/// Idle time after which a flow is closed and written (seconds of packet time).
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 120;

/// Time a closed (FIN/FIN or RST) flow lingers to absorb late retransmissions before it is
/// written (seconds of packet time).
pub const CLOSED_LINGER_SECS: u64 = 2;

/// Time without any answer after a ClientHello after which, at end of input, the connection
/// counts as `no_server_hello` rather than `incomplete` (seconds of packet time).
pub const NO_ANSWER_WAIT_SECS: u64 = 5;

/// How often expiry scans run (seconds of packet time). Each scan is O(flows).
pub const EXPIRY_SCAN_INTERVAL_SECS: u64 = 1;

/// Segments per batch sent from the capture thread to the flow thread (segments), and the
/// payload arena per batch (bytes). Batching amortises channel and allocation costs.
pub const BATCH_SEGMENTS: usize = 512;
pub const BATCH_BYTES: usize = 512 * 1024;

/// Batches in flight between capture and analysis (batches), live capture: it drops (counted)
/// when full, so the capture thread never waits; a deep queue rides out analysis hiccups.
pub const CHANNEL_BATCHES: usize = 64;
/// The same for reading files, where the capture thread waits when the queue is full: a short
/// queue is as fast (1.3 GB benchmark) and keeps peak memory at ~35 MB instead of ~60 MB.
pub const READ_CHANNEL_BATCHES: usize = 16;

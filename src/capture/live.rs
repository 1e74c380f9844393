//! Live capture with libpcap: the default device or `-i`, buffered delivery (not immediate
//! mode: the kernel hands over blocks of packets, at the latest after `READ_TIMEOUT_MS`, instead
//! of waking the reader per packet, which dropped packets from 200,000 packets/s on; see
//! docs/performance.md), a kernel buffer sized for bursts, full snaplen, the default filter `tcp port 443 or udp port 443` (`-f` replaces
//! it). Errors a user can fix (no privilege, unknown interface, bad filter) come back as one
//! line saying what and how.

use pcap::{Active, Capture, Device, Error};
use thiserror::Error as ThisError;

use super::RawPacket;
use crate::time::Timestamp;

/// The filter used when `-f` is not given.
pub const DEFAULT_FILTER: &str = "tcp port 443 or udp port 443";
/// Kernel capture buffer (bytes): absorbs bursts while the capture thread is scheduled out.
pub const KERNEL_BUFFER_BYTES: i32 = 32 << 20;
/// Bytes captured per frame: whole frames (handshakes must be complete).
pub const SNAPLEN: i32 = 262_144;
/// libpcap's read timeout (milliseconds). On Linux a blocking read can still wait forever on a
/// quiet link, so a ticker wakes the reader with [`LiveSource::waker`] instead.
pub const READ_TIMEOUT_MS: i32 = 100;

#[derive(Debug, ThisError)]
pub enum LiveError {
    #[error(
        "no permission to capture on {0}: run as root, or grant the capability once with \
         `sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tlscope)`"
    )]
    Permission(String),
    #[error("no such interface '{0}'; available: {1}")]
    NoSuchInterface(String, String),
    #[error("no capture device found; give one with -i (available: {0})")]
    NoDefaultDevice(String),
    #[error("bad filter '{0}': {1}; use tcpdump filter syntax, e.g. 'tcp port 443'")]
    BadFilter(String, String),
    #[error("cannot capture on {0}: {1}")]
    Other(String, String),
}

/// Counters libpcap keeps for a live capture.
#[derive(Clone, Copy, Debug, Default)]
pub struct KernelStats {
    pub received: u64,
    pub dropped: u64,
    pub if_dropped: u64,
}

pub struct LiveSource {
    cap: Capture<Active>,
    pub interface: String,
    pub filter: String,
    linktype: u32,
}

fn device_names() -> String {
    match Device::list() {
        Ok(list) if !list.is_empty() => list
            .into_iter()
            .map(|d| d.name)
            .collect::<Vec<_>>()
            .join(", "),
        _ => "none visible".into(),
    }
}

fn classify(iface: &str, e: Error) -> LiveError {
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    if lower.contains("permission") || lower.contains("operation not permitted") {
        LiveError::Permission(iface.to_string())
    } else if lower.contains("no such device") || lower.contains("doesn't exist") {
        LiveError::NoSuchInterface(iface.to_string(), device_names())
    } else {
        LiveError::Other(iface.to_string(), msg)
    }
}

impl LiveSource {
    /// Opens `interface` (or libpcap's default device) and applies `filter` (or the default).
    pub fn open(
        interface: Option<&str>,
        filter: Option<&str>,
        promisc: bool,
    ) -> Result<LiveSource, LiveError> {
        let device = match interface {
            Some(name) => {
                let known = Device::list()
                    .map(|l| l.iter().any(|d| d.name == name))
                    .unwrap_or(true);
                if !known {
                    return Err(LiveError::NoSuchInterface(name.to_string(), device_names()));
                }
                Device::from(name)
            }
            None => match Device::lookup() {
                Ok(Some(d)) => d,
                _ => return Err(LiveError::NoDefaultDevice(device_names())),
            },
        };
        let name = device.name.clone();
        let mut cap = Capture::from_device(device)
            .map_err(|e| classify(&name, e))?
            // Blocks of packets per wake-up; the ticker bounds the delay for the dashboard.
            .immediate_mode(false)
            .buffer_size(KERNEL_BUFFER_BYTES)
            .snaplen(SNAPLEN)
            .promisc(promisc)
            .timeout(READ_TIMEOUT_MS)
            .open()
            .map_err(|e| classify(&name, e))?;
        let filter = filter.unwrap_or(DEFAULT_FILTER).to_string();
        cap.filter(&filter, true)
            .map_err(|e| LiveError::BadFilter(filter.clone(), e.to_string()))?;
        let linktype = cap.get_datalink().0 as u32;
        Ok(LiveSource {
            cap,
            interface: name,
            filter,
            linktype,
        })
    }

    /// A handle that wakes a blocked [`LiveSource::next_packet`] from another thread (a no-op
    /// once the source is gone).
    pub fn waker(&mut self) -> pcap::BreakLoop {
        self.cap.breakloop_handle()
    }

    /// The next frame; `Ok(None)` when the read timed out or was woken.
    pub fn next_packet(&mut self) -> Result<Option<RawPacket<'_>>, LiveError> {
        match self.cap.next_packet() {
            Ok(p) => {
                let ts = Timestamp::from_secs_nanos(
                    p.header.ts.tv_sec,
                    (p.header.ts.tv_usec as u32).min(999_999) * 1000,
                );
                Ok(Some(RawPacket {
                    ts,
                    linktype: self.linktype,
                    data: p.data,
                    orig_len: p.header.len.max(p.data.len() as u32),
                }))
            }
            // Timed out, or woken by the waker (pcap_breakloop reads as "no more packets").
            Err(Error::TimeoutExpired) | Err(Error::NoMorePackets) => Ok(None),
            Err(e) => Err(LiveError::Other(self.interface.clone(), e.to_string())),
        }
    }

    pub fn stats(&mut self) -> KernelStats {
        self.cap
            .stats()
            .map(|s| KernelStats {
                received: s.received as u64,
                dropped: s.dropped as u64,
                if_dropped: s.if_dropped as u64,
            })
            .unwrap_or_default()
    }
}

/// Drops root after the capture is open: to `user` (default `nobody` when it exists), with no
/// supplementary groups. Does nothing when not root or when the user is `root`. Returns the
/// user switched to.
pub fn drop_privileges(user: Option<&str>) -> Result<Option<String>, LiveError> {
    use nix::unistd::{Uid, User, setgid, setgroups, setuid};
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let name = user.unwrap_or("nobody");
    if name == "root" {
        return Ok(None);
    }
    let found = User::from_name(name).map_err(|e| LiveError::Other(name.into(), e.to_string()))?;
    let Some(u) = found else {
        if user.is_none() {
            // No `nobody` on this system: keep running, as tcpdump does without -Z.
            return Ok(None);
        }
        return Err(LiveError::Other(
            name.into(),
            "no such user; give an existing one with --user".into(),
        ));
    };
    let fail = |what: &str, e: nix::Error| LiveError::Other(name.into(), format!("{what}: {e}"));
    setgroups(&[]).map_err(|e| fail("setgroups", e))?;
    setgid(u.gid).map_err(|e| fail("setgid", e))?;
    setuid(u.uid).map_err(|e| fail("setuid", e))?;
    Ok(Some(u.name))
}

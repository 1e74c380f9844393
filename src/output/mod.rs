//! Output: JSON Lines (`jsonl`, the format documented there), the human report (`report`), the
//! HTML report (`html`; both reports built on `summary`), and the formats other tools read:
//! Suricata EVE (`eve`) and Zeek `ssl.log` (`zeek`), behind one writer (`log`), with the
//! identifiers they need (`ids`). Wire structs (`record`) are separate from domain types.

pub mod eve;
pub mod explain;
pub mod html;
pub mod ids;
pub mod jsonl;
pub mod log;
pub mod record;
pub mod report;
pub mod summary;
pub mod timeline;
pub mod zeek;

pub use record::SessionRecord;

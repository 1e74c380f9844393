//! Output: JSON Lines (`jsonl`, the format documented there) and the human report (`report`).
//! Wire structs (`record`) are separate from domain types.

pub mod explain;
pub mod jsonl;
pub mod record;
pub mod report;
pub mod summary;

pub use record::SessionRecord;

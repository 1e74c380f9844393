//! Output: JSON Lines (`jsonl`, the format documented there), the human report (`report`) and
//! the HTML report (`html`), both built on `summary`.
//! Wire structs (`record`) are separate from domain types.

pub mod explain;
pub mod html;
pub mod jsonl;
pub mod record;
pub mod report;
pub mod summary;
pub mod timeline;

pub use record::SessionRecord;

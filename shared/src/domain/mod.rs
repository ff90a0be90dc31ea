//! Domain types. Every constructor validates; a value that exists is valid.

mod api_number;
mod entry;
mod error;
mod tenant;
mod well;

pub use api_number::ApiNumber;
pub use entry::{DowntimeReason, EntryId, EntrySource, FieldEntry, FieldEntryDraft, MAX_HOURS_ON};
pub use error::{FieldError, FieldErrors};
pub use tenant::{Role, Tenant, TenantId, TenantSlug, User, UserId, Username};
pub use well::{Coordinates, NewWell, Well, WellId, WellPatch, WellStatus, WellType};

//! Plain types and rules of the service desk, with no I/O.

pub mod calendar;
pub mod catalog;
pub mod level;
pub mod message;
pub mod sla;
pub mod status;
pub mod storable;
pub mod survey;
pub mod teams;
pub mod ticket;

pub use catalog::{Catalog, CatalogError, ServiceDef};
pub use level::{Level, Priority, PriorityMatrix};
pub use message::{About, Attachment, Channel, Content, Inbound, Mention, OutChoice, Outbound, Pressed};
pub use sla::{PriorityPolicy, Target};
pub use status::Status;
pub use ticket::{Scope, Slot, TicketType};

//! Background work over the database: the outbox sender and the SLA clock.

mod digest;
pub mod limits;
pub mod sender;
pub mod sla;

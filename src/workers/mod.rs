//! Background work over the database: the outbox sender (and, later, SLA clocks).

pub mod limits;
pub mod sender;

//! The circulation-logic module end to end through the gateway, and the ModuleDescriptors of
//! both modules checked against what they serve.
mod check_in;
mod checkout;
mod descriptors;
mod events;
mod loans;
mod renew;
mod support;

//! The harness itself: the test gateway, the stand-ins and the `stack` program.
mod gateway;
mod kafka;
mod stack;
mod standins;

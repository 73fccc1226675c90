//! Integration tests for the reception flow: rules table, validation, paper documents, journeys
//! through the driver with in-process fakes (with insta traces), and property tests.

// Test helpers may unwrap: a panic is the failure report here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fakes;
mod host;
mod journeys;
mod paper_docs;
mod patient;
mod props;
mod rules_doc;
mod rules_table;
mod training;
mod validation;

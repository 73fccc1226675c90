// The command names and who may call them, shared by `build.rs` (`include!`, so the app manifest generates an
// `allow-<command>` permission for each) and the crate (the tests check that the table, these lists and
// `capabilities/*.json` agree). Plain data: this file is compiled twice.

/// The desk's commands (reader screen and staff console), in the command table's order. The table lists these
/// first, then [`TRAINING_ONLY_COMMANDS`]; [`all_commands`] is the two together.
pub const DESK_COMMANDS: &[&str] = &[
    "snapshot",
    "send",
    "face_frame",
    "face_camera_failed",
    "app_info",
    "today_list",
    "patient_search",
    "last_eligibility",
    "export_csv",
    "settings_get",
    "settings_set",
    "declaration_pdf",
    "saved_file_action",
    "reader_status",
    "desk_status",
    "card_photo",
];

/// Every command of the command table, in its order.
pub fn all_commands() -> Vec<&'static str> {
    [DESK_COMMANDS, TRAINING_ONLY_COMMANDS].concat()
}

/// What the patient's reader window (live mode's `reader`) may call: the reader screen, its camera and the
/// app facts it shows. Staff inputs through `send` are refused by the command itself.
pub const READER_COMMANDS: &[&str] = &["snapshot", "send", "face_frame", "face_camera_failed", "app_info"];

/// Training only (the trainer panel and シナリオ研修): never in the staff console of a live install.
pub const TRAINING_ONLY_COMMANDS: &[&str] = &[
    "trainer_personas",
    "trainer_place_card",
    "trainer_state",
    "trainer_remove_card",
    "trainer_camera",
    "trainer_oqs_fault",
    "trainer_reader_fault",
    "scenario_list",
    "scenario_start",
    "scenario_finish",
    "training_history",
    "training_certificate_pdf",
    "training_class",
    "training_class_csv",
];

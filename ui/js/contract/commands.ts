// Generated from the command table in src-tauri/src/lib.rs (src-tauri/src/contract.rs).
// Do not edit: run `make contract`; `make test` fails while this file is stale.

import type { AppInfo } from "./app/AppInfo";
import type { CertificateArgs } from "./app/CertificateArgs";
import type { ClassView } from "./app/ClassView";
import type { DebriefView } from "./app/DebriefView";
import type { DeclarationPdfArgs } from "./app/DeclarationPdfArgs";
import type { DeskStatus } from "./app/DeskStatus";
import type { ExportCsvArgs } from "./app/ExportCsvArgs";
import type { FaceCameraFailedArgs } from "./app/FaceCameraFailedArgs";
import type { FaceFrameArgs } from "./app/FaceFrameArgs";
import type { FileActionDone } from "./app/FileActionDone";
import type { FrontView } from "./app/FrontView";
import type { History } from "./app/History";
import type { LastEligibilityArgs } from "./app/LastEligibilityArgs";
import type { OqsFaultArgs } from "./app/OqsFaultArgs";
import type { Patient } from "./store/Patient";
import type { PatientSearchArgs } from "./app/PatientSearchArgs";
import type { PersonaRow } from "./app/PersonaRow";
import type { PlaceCardArgs } from "./app/PlaceCardArgs";
import type { ReaderFaultArgs } from "./app/ReaderFaultArgs";
import type { ReaderStatus } from "./app/ReaderStatus";
import type { ReceptionSummary } from "./store/ReceptionSummary";
import type { SavedFile } from "./app/SavedFile";
import type { SavedFileActionArgs } from "./app/SavedFileActionArgs";
import type { ScenarioRow } from "./app/ScenarioRow";
import type { ScenarioStartArgs } from "./app/ScenarioStartArgs";
import type { ScenarioStarted } from "./app/ScenarioStarted";
import type { SendArgs } from "./app/SendArgs";
import type { Settings } from "./app/Settings";
import type { SettingsSetArgs } from "./app/SettingsSetArgs";
import type { Snapshot } from "./reception/Snapshot";
import type { StoredEligibility } from "./reception/StoredEligibility";
import type { TodayListArgs } from "./app/TodayListArgs";
import type { TrainerCameraArgs } from "./app/TrainerCameraArgs";
import type { TrainerState } from "./app/TrainerState";
import type { TrainingHistoryArgs } from "./app/TrainingHistoryArgs";
import type { UiError } from "./app/UiError";

/** Every command the page may call, with its arguments and its reply. */
export type Commands = {
  /** The reception's current snapshot (afterwards snapshots arrive as `snapshot` events). */
  snapshot: { args: Record<string, never>, reply: Snapshot },
  /** A person's action (reader or staff console); answers the snapshot after it. */
  send: { args: SendArgs, reply: Snapshot },
  /** One webcam frame for the face verification in progress: `true` when queued, `false` when dropped. */
  face_frame: { args: FaceFrameArgs, reply: boolean },
  /** The reader page could not open the camera: ends the face step at once. */
  face_camera_failed: { args: FaceCameraFailedArgs, reply: boolean },
  /** App facts: mode, version, reader, OQS endpoint, clinic day, camera. */
  app_info: { args: Record<string, never>, reply: AppInfo },
  /** 本日の受付: today's receptions, filtered. */
  today_list: { args: TodayListArgs, reply: Array<ReceptionSummary> },
  /** 患者検索 by カナ (prefix) and/or 生年月日. */
  patient_search: { args: PatientSearchArgs, reply: Array<Patient> },
  /** A patient's last valid eligibility (再診 history), if any. */
  last_eligibility: { args: LastEligibilityArgs, reply: StoredEligibility | null },
  /** CSV出力 of one day's receptions into the mode's exports folder. */
  export_csv: { args: ExportCsvArgs, reply: SavedFile },
  /** The site settings. */
  settings_get: { args: Record<string, never>, reply: Settings },
  /** Save the site settings (mode and site switches apply at the next start). */
  settings_set: { args: SettingsSetArgs, reply: Settings },
  /** The current patient's 申立書 (the form on the console) as a PDF. */
  declaration_pdf: { args: DeclarationPdfArgs, reply: SavedFile },
  /** 開く / 印刷 of a PDF the app saved (the desktop's viewer, the default printer). */
  saved_file_action: { args: SavedFileActionArgs, reply: FileActionDone },
  /** The card reader now: service down, not attached, ready, or a card on it (the console's status line). */
  reader_status: { args: Record<string, never>, reply: ReaderStatus },
  /**
   * The status panel: reader, eligibility path and the 端末's folders, face models, database, version, the
   * certified reader's results, and what to do before patients can be received.
   */
  desk_status: { args: Record<string, never>, reply: DeskStatus },
  /** The card front for 目視 (photo and 券面事項), read on demand and never stored. */
  card_photo: { args: Record<string, never>, reply: FrontView },
  /** Trainer: the persona cards. */
  trainer_personas: { args: Record<string, never>, reply: Array<PersonaRow> },
  /** Trainer: place a persona's card on the virtual reader. */
  trainer_place_card: { args: PlaceCardArgs, reply: null },
  /** Trainer: what is in force now (the card on the reader, the camera, the faults), whoever set it. */
  trainer_state: { args: Record<string, never>, reply: TrainerState },
  /** Trainer: take the card off the reader. */
  trainer_remove_card: { args: Record<string, never>, reply: null },
  /** Trainer: what the camera sees. */
  trainer_camera: { args: TrainerCameraArgs, reply: null },
  /** Trainer: inject an eligibility-service fault (or clear it). */
  trainer_oqs_fault: { args: OqsFaultArgs, reply: null },
  /** Trainer: inject a reader fault (or clear it). */
  trainer_reader_fault: { args: ReaderFaultArgs, reply: null },
  /** シナリオ研修: the curriculum. */
  scenario_list: { args: Record<string, never>, reply: Array<ScenarioRow> },
  /** Start a scenario for a trainee. */
  scenario_start: { args: ScenarioStartArgs, reply: ScenarioStarted },
  /** 終了して採点: score the running scenario and keep the run. */
  scenario_finish: { args: Record<string, never>, reply: DebriefView },
  /** A trainee's history (no name: only the list of trainees). */
  training_history: { args: TrainingHistoryArgs, reply: History },
  /** The certificate of completion as a PDF (only when every scenario is passed). */
  training_certificate_pdf: { args: CertificateArgs, reply: SavedFile },
  /** The class of this training record: each trainee's runs, scores, time and weakest rules (#15 §3). */
  training_class: { args: Record<string, never>, reply: ClassView },
  /** The class view as a CSV file. */
  training_class_csv: { args: Record<string, never>, reply: SavedFile },
};

/** A command's name. */
export type CommandName = keyof Commands;

/** The arguments after the name in `call(name, …)`: optional when every argument is. */
export type ArgsOf<K extends CommandName> = {} extends Commands[K]["args"]
  ? [args?: Commands[K]["args"]]
  : [args: Commands[K]["args"]];

/** What command `K` answers. */
export type ReplyOf<K extends CommandName> = Commands[K]["reply"];

export type { AppInfo } from "./app/AppInfo";
export type { Basis } from "./reception/Basis";
export type { Billing } from "./reception/Billing";
export type { BusyView } from "./reception/BusyView";
export type { CameraInput } from "./app/CameraInput";
export type { CertStatus } from "./reception/CertStatus";
export type { CertificateArgs } from "./app/CertificateArgs";
export type { CertifiedOutcome } from "./app/CertifiedOutcome";
export type { CertifiedProblem } from "./app/CertifiedProblem";
export type { CertifiedReaderResult } from "./app/CertifiedReaderResult";
export type { ClassView } from "./app/ClassView";
export type { Code } from "./app/Code";
export type { ConsentItem } from "./reception/ConsentItem";
export type { ConsentMode } from "./reception/ConsentMode";
export type { ConsentRecord } from "./reception/ConsentRecord";
export type { CsvEncoding } from "./app/CsvEncoding";
export type { DatabaseStatus } from "./app/DatabaseStatus";
export type { DebriefItem } from "./reception/DebriefItem";
export type { DebriefView } from "./app/DebriefView";
export type { DeclarationEntry } from "./reception/DeclarationEntry";
export type { DeclarationPdfArgs } from "./app/DeclarationPdfArgs";
export type { DeskStatus } from "./app/DeskStatus";
export type { DeskTodo } from "./app/DeskTodo";
export type { DocumentKind } from "./reception/DocumentKind";
export type { DocumentUse } from "./reception/DocumentUse";
export type { ElderlyRecipient } from "./reception/ElderlyRecipient";
export type { EligibilityPath } from "./app/EligibilityPath";
export type { EligibilityRecord } from "./reception/EligibilityRecord";
export type { EligibilityView } from "./reception/EligibilityView";
export type { Encoding } from "./app/Encoding";
export type { ErrorCode } from "./reception/ErrorCode";
export type { ExportCsvArgs } from "./app/ExportCsvArgs";
export type { FaceCameraFailedArgs } from "./app/FaceCameraFailedArgs";
export type { FaceFailure } from "./reception/FaceFailure";
export type { FaceFrameArgs } from "./app/FaceFrameArgs";
export type { FaceModelStatus } from "./app/FaceModelStatus";
export type { Fallback } from "./store/Fallback";
export type { FallbackStep } from "./reception/FallbackStep";
export type { FallbackView } from "./reception/FallbackView";
export type { Fault } from "./reception/Fault";
export type { Field } from "./reception/Field";
export type { FileAction } from "./app/FileAction";
export type { FileActionDone } from "./app/FileActionDone";
export type { FolderState } from "./app/FolderState";
export type { FrontView } from "./app/FrontView";
export type { Grade } from "./reception/Grade";
export type { GroupSetting } from "./reception/GroupSetting";
export type { History } from "./app/History";
export type { HistoryRow } from "./app/HistoryRow";
export type { HotlineView } from "./reception/HotlineView";
export type { IdentityMethod } from "./store/IdentityMethod";
export type { InsuranceType } from "./reception/InsuranceType";
export type { ItemLabels } from "./app/ItemLabels";
export type { Key } from "./app/Key";
export type { Lane } from "./reception/Lane";
export type { LastEligibilityArgs } from "./app/LastEligibilityArgs";
export type { LastExchange } from "./app/LastExchange";
export type { LegacyCardEntry } from "./reception/LegacyCardEntry";
export type { LimitCertificate } from "./reception/LimitCertificate";
export type { Method } from "./reception/Method";
export type { Mode } from "./app/Mode";
export type { Notice } from "./reception/Notice";
export type { NumberEntry } from "./reception/NumberEntry";
export type { Operator } from "./reception/Operator";
export type { OqsFault } from "./app/OqsFault";
export type { OqsFaultArgs } from "./app/OqsFaultArgs";
export type { Outcome } from "./store/Outcome";
export type { PaperDocument } from "./reception/PaperDocument";
export type { PaperRefusal } from "./reception/PaperRefusal";
export type { Patient } from "./store/Patient";
export type { PatientId } from "./store/PatientId";
export type { PatientLookup } from "./reception/PatientLookup";
export type { PatientSearchArgs } from "./app/PatientSearchArgs";
export type { PersonaRow } from "./app/PersonaRow";
export type { PhonePlatform } from "./reception/PhonePlatform";
export type { PlaceCardArgs } from "./app/PlaceCardArgs";
export type { PrescriptionForm } from "./reception/PrescriptionForm";
export type { Problem } from "./reception/Problem";
export type { ProblemKind } from "./reception/ProblemKind";
export type { QualificationCertificateEntry } from "./reception/QualificationCertificateEntry";
export type { QualificationValidity } from "./reception/QualificationValidity";
export type { ReaderFault } from "./app/ReaderFault";
export type { ReaderFaultArgs } from "./app/ReaderFaultArgs";
export type { ReaderMode } from "./reception/ReaderMode";
export type { ReaderState } from "./app/ReaderState";
export type { ReaderStatus } from "./app/ReaderStatus";
export type { ReceptionSummary } from "./store/ReceptionSummary";
export type { Relationship } from "./reception/Relationship";
export type { ReturnedConsent } from "./reception/ReturnedConsent";
export type { SavedFile } from "./app/SavedFile";
export type { SavedFileActionArgs } from "./app/SavedFileActionArgs";
export type { ScenarioRow } from "./app/ScenarioRow";
export type { ScenarioStartArgs } from "./app/ScenarioStartArgs";
export type { ScenarioStarted } from "./app/ScenarioStarted";
export type { Screen } from "./reception/Screen";
export type { SendArgs } from "./app/SendArgs";
export type { Settings } from "./app/Settings";
export type { SettingsSetArgs } from "./app/SettingsSetArgs";
export type { Sex } from "./reception/Sex";
export type { Snapshot } from "./reception/Snapshot";
export type { SpecificDisease } from "./reception/SpecificDisease";
export type { StaffAction } from "./reception/StaffAction";
export type { StaffActionKind } from "./reception/StaffActionKind";
export type { StaffDecision } from "./reception/StaffDecision";
export type { StoredEligibility } from "./reception/StoredEligibility";
export type { TerminalStatus } from "./app/TerminalStatus";
export type { Text } from "./reception/Text";
export type { TodayFilter } from "./app/TodayFilter";
export type { TodayListArgs } from "./app/TodayListArgs";
export type { TraineeSummary } from "./app/TraineeSummary";
export type { TrainerCameraArgs } from "./app/TrainerCameraArgs";
export type { TrainerState } from "./app/TrainerState";
export type { TrainingHistoryArgs } from "./app/TrainingHistoryArgs";
export type { UiError } from "./app/UiError";
export type { UserInput } from "./reception/UserInput";
export type { ValidationError } from "./reception/ValidationError";
export type { VisitId } from "./store/VisitId";
export type { VisitKind } from "./reception/VisitKind";
export type { VoidReason } from "./reception/VoidReason";
export type { WeakRule } from "./app/WeakRule";

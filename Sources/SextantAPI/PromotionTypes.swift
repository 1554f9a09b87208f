import Foundation

/// Pure promotion logic of the model registry: which stage each ModelVersion of a namespace is
/// effectively in, and why. Inputs are plain values taken from the objects (spec, the approval
/// annotation and what a previous reconcile stored in status), so the result is the same after
/// a controller restart.
public enum Promotion {
    /// Stages (same strings as `spec.stage` / `status.stage`).
    public enum Stage {
        public static let none = "None"
        public static let staging = "Staging"
        public static let production = "Production"
        public static let archived = "Archived"
    }

    /// Condition reasons and transition reasons.
    public enum Reason {
        public static let promoted = "Promoted"
        public static let gatesNotMet = "GatesNotMet"
        public static let notBetterThanProduction = "NotBetterThanProduction"
        public static let awaitingApproval = "AwaitingApproval"
        /// `promotion.requireCard` is set and the version has no model card (or one without the required fields).
        public static let cardMissing = "CardMissing"
        public static let superseded = "Superseded"
        public static let duplicateVersion = "DuplicateVersion"
        /// `spec.stage` is `None` (or unset): nothing requested.
        public static let notRequested = "NotRequested"
        /// `spec.stage` is `Archived`.
        public static let archived = "Archived"
        /// A requested move down (Production to Staging) took effect.
        public static let demoted = "Demoted"
        /// A superseded version took Production back because the version that replaced it left.
        public static let restored = "Restored"
    }

    /// The approval annotation; its value is the approver.
    public static let approvedByAnnotation = "ml.sextant.dev/approved-by"
    /// How many stage transitions `status.history` keeps (oldest dropped first).
    public static let historyLimit = 20

    /// One metric threshold.
    public struct Gate: Sendable, Hashable {
        public var metric: String
        public var min: Double?
        public var max: Double?
        public init(metric: String, min: Double? = nil, max: Double? = nil) {
            self.metric = metric
            self.min = min
            self.max = max
        }
    }

    /// One stage transition as stored in `status.history`.
    public struct Transition: Sendable, Hashable {
        public var from: String?
        public var to: String
        public var at: Date
        public var reason: String?
        public var approvedBy: String?
        public init(from: String?, to: String, at: Date, reason: String?, approvedBy: String? = nil) {
            self.from = from
            self.to = to
            self.at = at
            self.reason = reason
            self.approvedBy = approvedBy
        }
    }

    /// Everything the decision needs about one ModelVersion.
    public struct Candidate: Sendable, Hashable {
        public var name: String
        public var creationTimestamp: Date
        public var model: String
        public var version: String
        /// `spec.stage` (nil = None).
        public var requestedStage: String?
        public var metrics: [String: Double]
        public var gates: [Gate]
        /// `compareToProduction` metric and minimum improvement (higher is better).
        public var compareMetric: String?
        public var minImprovement: Double
        public var requireApproval: Bool
        /// Value of the `ml.sextant.dev/approved-by` annotation.
        public var approvedBy: String?
        /// `status.stage` written by a previous reconcile (nil = never reconciled).
        public var currentStage: String?
        /// `status.promotedAt`.
        public var promotedAt: Date?
        /// Reason of the `Promoted` condition in status (to recognise a superseded version).
        public var promotedReason: String?
        /// `status.history`.
        public var history: [Transition]
        /// `promotion.requireCard`.
        public var requireCard = false
        /// The required card fields that are missing (empty = a complete card, or none required).
        public var missingCardFields: [String] = []

        /// The candidate with the model-card rule (`promotion.requireCard`) and the missing card fields.
        public func requiringCard(_ required: Bool, missing: [String]) -> Candidate {
            var c = self
            c.requireCard = required
            c.missingCardFields = missing
            return c
        }

        public init(
            name: String, creationTimestamp: Date, model: String, version: String, requestedStage: String?,
            metrics: [String: Double] = [:], gates: [Gate] = [], compareMetric: String? = nil,
            minImprovement: Double = 0, requireApproval: Bool = false, approvedBy: String? = nil,
            currentStage: String? = nil, promotedAt: Date? = nil, promotedReason: String? = nil,
            history: [Transition] = []
        ) {
            self.name = name
            self.creationTimestamp = creationTimestamp
            self.model = model
            self.version = version
            self.requestedStage = requestedStage
            self.metrics = metrics
            self.gates = gates
            self.compareMetric = compareMetric
            self.minImprovement = minImprovement
            self.requireApproval = requireApproval
            self.approvedBy = approvedBy
            self.currentStage = currentStage
            self.promotedAt = promotedAt
            self.promotedReason = promotedReason
            self.history = history
        }

        /// The effective stage stored in status (None when never set).
        var stage: String { currentStage ?? Stage.none }
        /// Requested stage (None when unset).
        var requested: String { requestedStage ?? Stage.none }
        /// It was effectively Production at some point (so the comparison is skipped on rollback).
        var wasProduction: Bool {
            stage == Stage.production || history.contains { $0.to == Stage.production }
        }
        /// It lost Production to a later request and still asks for Production.
        var isSuperseded: Bool {
            stage == Stage.archived && promotedReason == Reason.superseded
        }
    }

    /// The evaluated result of one gate.
    public struct GateOutcome: Sendable, Hashable {
        public var metric: String
        public var value: Double?
        public var passed: Bool
        public var message: String
    }

    /// An Event to record on the version.
    public struct EventNote: Sendable, Hashable {
        /// `Normal` or `Warning`.
        public var type: String
        public var reason: String
        public var message: String

        /// An Event note (`type` is `Normal` or `Warning`).
        public init(type: String, reason: String, message: String) {
            self.type = type
            self.reason = reason
            self.message = message
        }
    }

    /// The decision for one version.
    public struct Outcome: Sendable, Hashable {
        public var name: String
        /// New `status.stage`.
        public var stage: String
        /// New `status.promotedAt`.
        public var promotedAt: Date?
        /// `Promoted` condition status (`True`/`False`), reason and message.
        public var promoted: Bool
        public var reason: String
        public var message: String
        /// The requested stage is in effect (drives `Ready` together with serving).
        public var requestSatisfied: Bool
        public var gates: [GateOutcome]
        /// New `status.history` (bounded).
        public var history: [Transition]
        /// Events for what changed in this decision.
        public var events: [EventNote]
        /// Another version with the same (model, version) is older.
        public var isDuplicate: Bool
    }
}

import Torch

extension ReIDModel {
    /// Reads a weight file (`.safetensors`, `.pth`, …) and loads it with `loadWeights(_:source:usage:)`.
    @discardableResult
    public func loadWeights(from path: String, usage: WeightsUsage = .inference) throws -> WeightsLoadReport {
        try loadWeights(WeightFile.load(path), source: path, usage: usage)
    }

    /// Loads either a full re-ID model (names `backbone.*`, `head.*`, `partHead.*`, possibly
    /// under DataParallel's `module.`) or backbone-only weights (see `BackboneWeights`).
    ///
    /// A full model must match exactly, except that a classifier or part head this model does
    /// not have is skipped (listed in the report); a full load sets `mode = .full`. Backbone-only
    /// weights used for `.inference` set `mode = .backboneOnly`.
    ///
    /// - Throws: `TorchError.stateDictMismatch` naming `source` and the first mismatching tensors.
    @discardableResult
    public func loadWeights(_ weights: [String: Tensor], source: String, usage: WeightsUsage = .inference) throws
        -> WeightsLoadReport
    {
        // A training checkpoint also holds the loop's state (`_state.*`, `_optim.*`): not weights.
        let original = weights.filter { !$0.key.hasPrefix("_state.") && !$0.key.hasPrefix("_optim.") }
        var weights = original
        var prefix = ""
        if !weights.isEmpty, weights.keys.allSatisfy({ $0.hasPrefix("module.") }) {
            prefix = "module."
            weights = Dictionary(uniqueKeysWithValues: weights.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        }
        let isFullModel = weights.keys.contains { $0.hasPrefix("head.") || $0.hasPrefix("partHead.") }
        guard isFullModel else {
            let report = try BackboneWeights.load(original, source: source, into: backbone)
            if usage == .inference { mode = .backboneOnly }
            return report
        }
        let own = Set(namedSlots().map(\.name))
        let skippable = { (name: String) -> Bool in
            !own.contains(name) && (name.hasPrefix("head.classifier.") || name.hasPrefix("partHead."))
        }
        let ignored = weights.keys.filter(skippable).map { prefix + $0 }.sorted()
        // Initialising a part model from a model without parts: the part head starts fresh.
        var initialised: [String] = []
        if usage == .initialisation, !weights.keys.contains(where: { $0.hasPrefix("partHead.") }) {
            for (name, slot) in namedSlots() where name.hasPrefix("partHead.") && weights[name] == nil {
                weights[name] = slot.tensor
                initialised.append(name)
            }
        }
        BackboneWeights.fillBatchCounters(&weights, from: self, prefix: "")
        try load(stateDict: weights, source: source, strict: true, ignoring: skippable)
        mode = .full
        var report = WeightsLoadReport(source: source, content: .fullModel, prefix: prefix, ignored: ignored)
        report.initialised = initialised.sorted()
        return report
    }
}

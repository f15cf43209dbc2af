/// Loading named weights into a module, with errors that list what does not fit.
extension Module {
    /// Copies `weights` into the module's tensors (in place, so optimisers keep their references).
    ///
    /// - Parameters:
    ///   - source: shown in errors (usually the file name).
    ///   - strict: when true, a missing or unexpected name is an error; shapes must always match.
    ///   - ignoring: names in `weights` to skip silently (e.g. a classifier of another size).
    /// - Returns: the names of model tensors that the weights did not provide (non-strict mode).
    @discardableResult
    public func load(stateDict weights: [String: Tensor], source: String, strict: Bool = true,
                     ignoring: (String) -> Bool = { _ in false }) throws -> [String] {
        let slots = namedSlots()
        var problems: [String] = []
        var missing: [String] = []
        var used = Set<String>()
        for (name, slot) in slots {
            guard let value = weights[name] else {
                missing.append(name)
                continue
            }
            used.insert(name)
            let expected = slot.tensor!.shape
            if value.shape != expected && !(value.count == 1 && slot.tensor!.count == 1) {
                problems.append("\(name): model has shape \(expected), weights have \(value.shape)")
            }
        }
        let unexpected = weights.keys.filter { !used.contains($0) && !ignoring($0) }.sorted()
        if strict {
            problems += missing.map { "\($0): in the model but not in the weights" }
            problems += unexpected.map { "\($0): in the weights but not in the model" }
        }
        if !problems.isEmpty {
            throw TorchError.stateDictMismatch(source: source, problems: Array(problems.prefix(8)), total: problems.count)
        }
        try withNoGrad {
            for (name, slot) in slots {
                guard let value = weights[name] else { continue }
                let target = slot.tensor!
                let converted = try value.to(target.dtype).to(target.device)
                try target.copy_(converted.count == target.count ? converted.reshape(target.shape) : converted)
            }
        }
        return missing
    }
}

/// Orders the images of a training split for one epoch. Batches are consecutive slices of that
/// order (as a PyTorch `DataLoader` cuts a sampler's stream), so a sampler that emits groups of K
/// images of one identity gives batches of P identities × K images when the batch size is P·K.
public protocol EpochSampler: Sendable {
    /// Images per batch (P·K for the identity samplers).
    var batchSize: Int { get }
    /// Indices into the training records for `epoch`, in order; the same epoch always gives the
    /// same order.
    func indices(epoch: Int) -> [Int]
}

extension EpochSampler {
    /// `indices(epoch:)` cut into batches of `batchSize`; a last, shorter batch is dropped when
    /// `dropLast` (the default, as the reference trainers' `drop_last=True`).
    public func batches(epoch: Int, dropLast: Bool = true) -> [[Int]] {
        let order = indices(epoch: epoch)
        var out: [[Int]] = []
        var start = 0
        while start < order.count {
            let end = min(order.count, start + batchSize)
            if end - start < batchSize && dropLast { break }
            out.append(Array(order[start..<end]))
            start = end
        }
        return out
    }
}

/// Seeds of the sampler passes within one epoch. An epoch that needs more iterations than one
/// pass gives starts a fresh pass, with new anchors and new order, as the reference trainers'
/// `IterLoader` does, instead of replaying the first. Pass 0 is the epoch itself; pass p draws
/// as sampler "epoch" `epoch + p·2²⁰`, which no real epoch reaches.
public enum SamplerPass {
    public static func key(epoch: Int, pass: Int) -> Int { epoch + pass << 20 }
}

/// The images of each identity, from per-image labels (negative labels are left out).
struct IdentityIndex: Sendable {
    /// Distinct labels ≥ 0, sorted.
    let labels: [Int]
    /// For each entry of `labels`, the indices of its images in ascending order.
    let members: [[Int]]

    init(labels: [Int]) {
        var groups: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() where label >= 0 { groups[label, default: []].append(i) }
        self.labels = groups.keys.sorted()
        members = self.labels.map { groups[$0]! }
    }
}

extension Array {
    /// `count` elements drawn uniformly: without replacement when `replace` is false (then
    /// count ≤ self.count), with replacement otherwise.
    func sample(_ count: Int, replace: Bool, using rng: inout SeededRandom) -> [Element] {
        guard count > 0, !isEmpty else { return [] }
        if replace { return (0..<count).map { _ in self[rng.int(0...(self.count - 1))] } }
        var copy = self
        // Partial Fisher–Yates: the first `count` positions end up a uniform sample.
        for i in 0..<Swift.min(count, copy.count) {
            copy.swapAt(i, rng.int(i...(copy.count - 1)))
        }
        return Array(copy.prefix(count))
    }
}

/// Labels for sampling from records: the training label when set, else the pid (≥ 0 only).
func samplingLabels(_ records: [ImageRecord]) -> [Int] {
    records.map { $0.label >= 0 ? $0.label : $0.pid }
}

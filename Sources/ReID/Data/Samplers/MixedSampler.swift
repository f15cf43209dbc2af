/// ReMix's batches: every batch holds `labeledIdentities` identities of the labeled data and
/// `unlabeledIdentities` pseudo-identities of the single-camera data, K images each, and with
/// `views` = 2 each image twice in a row (the loader augments each copy independently, which
/// gives the augmentation loss its two views). An epoch is one pass over the labeled identities
/// in a random order (over the pseudo-identities when no labeled ones are asked for); the
/// pseudo-identities are drawn from their own shuffled order, reshuffled whenever it runs out.
/// Indices of unlabeled images are offset by `labeledCount`, as in `TrainingContext.batchRecords`.
public struct MixedSampler: Sendable {
    let labeled: IdentityIndex
    let unlabeled: IdentityIndex
    public let labeledCount: Int
    public let labeledIdentities: Int
    public let unlabeledIdentities: Int
    public let instances: Int
    public let views: Int
    public let seed: UInt64

    /// `labeledLabels` per labeled image and `unlabeledLabels` per single-camera image (−1: never drawn).
    public init(labeledLabels: [Int], unlabeledLabels: [Int], labeledIdentities: Int, unlabeledIdentities: Int,
                instances: Int, views: Int = 2, seed: UInt64 = 0) {
        precondition(labeledIdentities >= 0 && unlabeledIdentities >= 0 && labeledIdentities + unlabeledIdentities > 0,
                     "a batch needs identities")
        precondition(instances > 0 && views > 0, "K and views must be positive")
        labeled = IdentityIndex(labels: labeledLabels)
        unlabeled = IdentityIndex(labels: unlabeledLabels)
        labeledCount = labeledLabels.count
        self.labeledIdentities = labeledIdentities
        self.unlabeledIdentities = unlabeledIdentities
        self.instances = instances
        self.views = views
        self.seed = seed
    }

    public var batchSize: Int { (labeledIdentities + unlabeledIdentities) * instances * views }

    public func batches(epoch: Int) -> [[Int]] {
        var rng = SeededRandom.derived(seed: seed, index: UInt64(truncatingIfNeeded: epoch))
        let useLabeled = labeledIdentities > 0 && labeled.members.count >= labeledIdentities
        let useUnlabeled = unlabeledIdentities > 0 && unlabeled.members.count >= unlabeledIdentities
        guard useLabeled || (labeledIdentities == 0 && useUnlabeled) else { return [] }
        guard useUnlabeled || unlabeledIdentities == 0 else { return [] }
        var labeledOrder = Array(labeled.members.indices)
        labeledOrder.shuffle(using: &rng)
        var unlabeledOrder: [Int] = []
        let count = useLabeled ? labeledOrder.count / labeledIdentities : unlabeled.members.count / unlabeledIdentities
        var out: [[Int]] = []
        for b in 0..<count {
            var batch: [Int] = []
            func add(_ images: [Int], offset: Int) {
                let k = images.sample(instances, replace: images.count < instances, using: &rng)
                for i in k { batch += [Int](repeating: i + offset, count: views) }
            }
            if useLabeled {
                for id in labeledOrder[(b * labeledIdentities)..<((b + 1) * labeledIdentities)] {
                    add(labeled.members[id], offset: 0)
                }
            }
            for _ in 0..<(useUnlabeled ? unlabeledIdentities : 0) {
                if unlabeledOrder.isEmpty {
                    unlabeledOrder = Array(unlabeled.members.indices)
                    unlabeledOrder.shuffle(using: &rng)
                }
                add(unlabeled.members[unlabeledOrder.removeLast()], offset: labeledCount)
            }
            out.append(batch)
        }
        return out
    }
}

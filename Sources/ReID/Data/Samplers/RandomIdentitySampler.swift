/// P×K sampling for metric learning: each epoch visits every identity once, in a random order,
/// taking K of its images (without replacement when it has at least K, with replacement
/// otherwise), so each batch of P·K holds P identities × K images. The same behaviour as
/// cluster-contrast's and PPLR's `RandomIdentitySampler`; seeded per epoch.
public struct RandomIdentitySampler: EpochSampler {
    /// P: identities per batch.
    public let identitiesPerBatch: Int
    /// K: images per identity.
    public let instances: Int
    public let seed: UInt64
    let index: IdentityIndex

    /// `labels[i]` is the identity (or pseudo-label) of image i; images with a negative label are
    /// never drawn.
    public init(labels: [Int], identitiesPerBatch: Int, instances: Int, seed: UInt64 = 0) {
        precondition(identitiesPerBatch > 0 && instances > 0, "P and K must be positive")
        self.identitiesPerBatch = identitiesPerBatch
        self.instances = instances
        self.seed = seed
        index = IdentityIndex(labels: labels)
    }

    /// Samples the records by training label (their pid when unlabelled).
    public init(records: [ImageRecord], identitiesPerBatch: Int, instances: Int, seed: UInt64 = 0) {
        self.init(labels: samplingLabels(records), identitiesPerBatch: identitiesPerBatch, instances: instances, seed: seed)
    }

    public var batchSize: Int { identitiesPerBatch * instances }
    /// Identities that take part (labels ≥ 0).
    public var identities: Int { index.labels.count }

    public func indices(epoch: Int) -> [Int] {
        var rng = SeededRandom.derived(seed: seed, index: UInt64(truncatingIfNeeded: epoch))
        var order = Array(index.members.indices)
        order.shuffle(using: &rng)
        var out: [Int] = []
        out.reserveCapacity(order.count * instances)
        for id in order {
            let images = index.members[id]
            out += images.sample(instances, replace: images.count < instances, using: &rng)
        }
        return out
    }
}

/// P×K sampling that makes each group cross cameras, after PPLR's and cluster-contrast's
/// `RandomMultipleGallerySampler`: each epoch visits every identity once in a random order, draws
/// an anchor image uniformly, then K − 1 companions of the same identity taken from *other*
/// cameras than the anchor's, so that every positive pair in a batch teaches invariance to the
/// camera.
///
/// `.reference` (default) reproduces the reference exactly: if the identity has images in other
/// cameras, all K − 1 companions come from them (without replacement when there are at least K
/// of them, with replacement otherwise — the reference's threshold); if not, they come from the
/// identity's other images in the same camera under the same rule; an identity with one image
/// contributes its anchor alone, so groups can straddle batches.
///
/// `.distinctFirst` keeps every group exactly K long and avoids repeats: distinct other-camera
/// images first, then distinct same-camera images, then repeats (of other-camera images when
/// there are any) — and the anchor itself for a one-image identity.
public struct CrossCameraSampler: EpochSampler {
    public enum Fill: String, Sendable, Codable { case reference, distinctFirst = "distinct_first" }

    public let identitiesPerBatch: Int
    public let instances: Int
    public let seed: UInt64
    public let fill: Fill
    let index: IdentityIndex
    let cameras: [Int]

    /// `labels[i]` and `cameras[i]` are image i's identity (negative: never drawn) and camera.
    public init(labels: [Int], cameras: [Int], identitiesPerBatch: Int, instances: Int, seed: UInt64 = 0,
                fill: Fill = .reference) {
        precondition(labels.count == cameras.count, "one camera per label")
        precondition(identitiesPerBatch > 0 && instances > 0, "P and K must be positive")
        self.identitiesPerBatch = identitiesPerBatch
        self.instances = instances
        self.seed = seed
        self.fill = fill
        self.cameras = cameras
        index = IdentityIndex(labels: labels)
    }

    /// Samples the records by training label (their pid when unlabelled) and camera.
    public init(records: [ImageRecord], identitiesPerBatch: Int, instances: Int, seed: UInt64 = 0,
                fill: Fill = .reference) {
        self.init(labels: samplingLabels(records), cameras: records.map(\.camera), identitiesPerBatch: identitiesPerBatch,
                  instances: instances, seed: seed, fill: fill)
    }

    public var batchSize: Int { identitiesPerBatch * instances }
    public var identities: Int { index.labels.count }

    public func indices(epoch: Int) -> [Int] {
        var rng = SeededRandom.derived(seed: seed, index: UInt64(truncatingIfNeeded: epoch))
        var order = Array(index.members.indices)
        order.shuffle(using: &rng)
        var out: [Int] = []
        out.reserveCapacity(order.count * instances)
        let k = instances
        for id in order {
            let images = index.members[id]
            let anchor = images[rng.int(0...(images.count - 1))]
            out.append(anchor)
            guard k > 1 else { continue }
            let otherCamera = images.filter { cameras[$0] != cameras[anchor] }
            let sameCamera = images.filter { $0 != anchor && cameras[$0] == cameras[anchor] }
            switch fill {
            case .reference:
                let pool = otherCamera.isEmpty ? sameCamera : otherCamera
                out += pool.sample(k - 1, replace: pool.count < k, using: &rng)
            case .distinctFirst:
                var companions = otherCamera.sample(min(k - 1, otherCamera.count), replace: false, using: &rng)
                let more = min(k - 1 - companions.count, sameCamera.count)
                companions += sameCamera.sample(more, replace: false, using: &rng)
                let repeats = otherCamera.isEmpty ? (sameCamera.isEmpty ? [anchor] : sameCamera) : otherCamera
                companions += repeats.sample(k - 1 - companions.count, replace: true, using: &rng)
                out += companions
            }
        }
        return out
    }
}

import Foundation

/// Identities carved out of the training images to choose a checkpoint on, so that nothing is
/// chosen on the test set (`data.validationIdentities`). The chosen identities (seeded, among
/// those seen by two cameras or more) leave training altogether; each gives one query (its first
/// image of its first camera) and a gallery of its other images, so every query has a match in
/// another camera. The other identities are relabelled densely and train as before.
public struct ValidationSplit: ReIDDataset {
    public let name = "validation split"
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord]
    public let gallery: [ImageRecord]
    public let issues: [DatasetIssue] = []

    public init(training: any ReIDDataset, identities: Int, seed: UInt64) throws {
        root = training.root
        var byPid: [Int: [ImageRecord]] = [:]
        for record in training.train where record.pid >= 0 { byPid[record.pid, default: []].append(record) }
        let candidates = byPid.keys.sorted().filter { Set(byPid[$0]!.map(\.camera)).count >= 2 }
        guard identities < candidates.count else {
            throw ReIDError.invalidOption("data.validationIdentities \(identities): the training images have only "
                + "\(candidates.count) identities seen by two cameras or more (labels needed); ask for fewer, or 0 for none")
        }
        var rng = SeededRandom(seed: seed)
        let chosen = Set(candidates.shuffled(using: &rng).prefix(identities))
        var query: [ImageRecord] = [], gallery: [ImageRecord] = []
        for pid in chosen.sorted() {
            let images = byPid[pid]!.sorted { ($0.camera, $0.path) < ($1.camera, $1.path) }
            var q = images[0], rest = Array(images.dropFirst())
            q.label = -1
            for i in rest.indices { rest[i].label = -1 }
            query.append(q)
            gallery += rest
        }
        let kept = training.train.filter { !chosen.contains($0.pid) }
        let pids = Set(kept.lazy.filter { $0.pid >= 0 }.map(\.pid)).sorted()
        let label = Dictionary(uniqueKeysWithValues: pids.enumerated().map { ($1, $0) })
        train = kept.map { r in
            var r = r
            r.label = r.pid >= 0 ? label[r.pid]! : -1
            return r
        }
        self.query = query
        self.gallery = gallery
    }
}

import Foundation
import Torch

/// A gallery ready to search: the database plus a faiss index of its L2-normalised features.
///
/// The faiss index lives in memory and in `<db>.faiss` beside the database, with
/// `<db>.faiss.json` recording the database revision it was built at. Opening loads the file
/// when that revision is current and rebuilds it from the database otherwise (the database is
/// the truth; the file is a cache). Searches run concurrently under a read lock; adds and
/// removes update the database and the faiss index together under the write lock, so a search
/// never sees an item the database has lost.
public final class GalleryIndex: @unchecked Sendable {
    public let store: GalleryStore
    public private(set) var identity: GalleryModelIdentity
    private var faiss: FaissIndex
    private var revision: Int64
    private let lock = ReadWriteLock()
    /// Whether the in-memory index has changes the file lacks.
    public private(set) var isDirty = false
    /// Items from which the faiss index is approximate (`ApproximateSearchPlan`).
    public let approximateFrom: Int

    public var faissPath: String { store.path + ".faiss" }
    var sidecarPath: String { store.path + ".faiss.json" }

    struct Sidecar: Codable { var revision: Int64; var count: Int; var dimension: Int }

    /// Opens the gallery at `db`. `persist` writes a rebuilt faiss file back when it was stale.
    public init(store: GalleryStore, persist: Bool = true, approximateFrom: Int = ApproximateSearchPlan.defaultThreshold) throws {
        self.store = store
        self.approximateFrom = approximateFrom
        guard let identity = try store.identity() else {
            throw GalleryError.file(store.path, "has no model recorded; build it with `reid index build`")
        }
        self.identity = identity
        let current = try store.revision()
        if let data = FileManager.default.contents(atPath: store.path + ".faiss.json"),
           let sidecar = try? JSONDecoder().decode(Sidecar.self, from: data),
           sidecar.revision == current, sidecar.dimension == identity.dimension,
           let loaded = try? FaissIndex(contentsOf: store.path + ".faiss"), loaded.count == sidecar.count,
           loaded.isApproximate == (loaded.count >= approximateFrom) {
            faiss = loaded
            revision = current
        } else {
            (faiss, revision) = try Self.build(store: store, dimension: max(identity.dimension, 1), approximateFrom: approximateFrom)
            isDirty = true
            if persist { try self.persist() }
        }
    }

    /// A faiss index of every item, with the revision it reflects: exact below `approximateFrom`
    /// items, else an inverted file trained on an even spread of the items.
    static func build(store: GalleryStore, dimension: Int, approximateFrom: Int) throws -> (FaissIndex, Int64) {
        let items = try store.count()
        let index: FaissIndex
        if items >= approximateFrom {
            let plan = ApproximateSearchPlan.plan(items: items)
            index = try FaissIndex(dimension: dimension, lists: plan.lists)
            let step = max(1, items / plan.trainingItems)
            var sample: [Float] = [], seen = 0
            sample.reserveCapacity(plan.trainingItems * dimension)
            _ = try store.forEachItem { item in
                defer { seen += 1 }
                if seen % step == 0, sample.count < plan.trainingItems * dimension, item.feature.count == dimension {
                    sample += normalized(item.feature)
                }
            }
            try index.train(sample)
            index.probes = plan.probes
        } else {
            index = try FaissIndex(dimension: dimension)
        }
        var vectors: [Float] = [], ids: [Int64] = []
        let revision = try store.forEachItem { item in
            guard item.feature.count == dimension else {
                throw GalleryError.file(store.path, "item \(item.id ?? -1) (\(item.path)) has a \(item.feature.count)-d feature, the gallery \(dimension)-d")
            }
            vectors += normalized(item.feature)
            ids.append(item.id!)
            if ids.count == 4096 {
                try index.add(vectors, ids: ids)
                vectors.removeAll(keepingCapacity: true)
                ids.removeAll(keepingCapacity: true)
            }
        }
        try index.add(vectors, ids: ids)
        return (index, revision)
    }

    /// Rebuilds the faiss index from the database and writes it.
    public func rebuild() throws {
        try lock.writing {
            (faiss, revision) = try Self.build(store: store, dimension: max(identity.dimension, 1), approximateFrom: approximateFrom)
            isDirty = true
        }
        try persist()
    }

    public var count: Int { lock.reading { faiss.count } }
    /// Sets how many cells an approximate index scans per query (`ApproximateSearchPlan` picks
    /// it; more raise recall and cost time). No effect on an exact index.
    public func setProbes(_ probes: Int) {
        lock.writing { if faiss.isApproximate { faiss.probes = probes } }
    }

    /// Whether searches are approximate (an inverted file; `ApproximateSearchPlan`), and its shape.
    public var searchKind: (approximate: Bool, lists: Int, probes: Int) {
        lock.reading { (faiss.isApproximate, faiss.lists, faiss.probes) }
    }

    /// Writes the faiss file and its revision record (each atomically; the record last).
    public func persist() throws {
        try lock.reading {
            try faiss.write(to: faissPath)
            let sidecar = Sidecar(revision: revision, count: faiss.count, dimension: faiss.dimension)
            try AtomicWrite.write(try JSONEncoder().encode(sidecar), to: sidecarPath)
        }
        lock.writing { isDirty = false }
    }

    /// Stores items (features as the model gave them) and indexes them; returns them with ids.
    /// With `skipExisting`, paths already in the gallery are skipped.
    @discardableResult
    public func add(_ items: [GalleryItem], skipExisting: Bool = false) throws -> [GalleryItem] {
        guard !items.isEmpty else { return [] }
        let dimension = items[0].feature.count
        guard items.allSatisfy({ $0.feature.count == dimension }), dimension > 0 else {
            throw GalleryError.invalid("features of one batch differ in length")
        }
        return try lock.writing {
            if identity.dimension == 0 {
                identity.dimension = dimension
                try store.setIdentity(identity)
                faiss = try FaissIndex(dimension: dimension)
            }
            guard dimension == identity.dimension else {
                throw GalleryError.modelMismatch("a \(dimension)-d feature cannot join this \(identity.dimension)-d gallery")
            }
            let stored = try store.insert(items, skipExisting: skipExisting)
            if !faiss.isApproximate && faiss.count + stored.count >= approximateFrom {
                // Crossing the threshold: the cells are trained once, on the gallery as it is now.
                (faiss, _) = try Self.build(store: store, dimension: dimension, approximateFrom: approximateFrom)
            } else {
                try faiss.add(stored.flatMap { Self.normalized($0.feature) }, ids: stored.map { $0.id! })
            }
            revision = try store.revision()
            isDirty = isDirty || !stored.isEmpty
            return stored
        }
    }

    /// Removes items by id; returns the ids that existed.
    @discardableResult
    public func remove(ids: [Int64]) throws -> [Int64] {
        try lock.writing {
            try faiss.remove(ids)
            let removed = try store.remove(ids: ids)
            revision = try store.revision()
            isDirty = isDirty || !removed.isEmpty
            return removed
        }
    }

    /// The `k` gallery ids most similar to `feature` (cosine similarity, best first).
    public func nearest(_ feature: [Float], k: Int) throws -> [(id: Int64, score: Float)] {
        guard feature.count == identity.dimension else {
            throw GalleryError.modelMismatch("the query feature has \(feature.count) values, the gallery's \(identity.dimension)")
        }
        return try lock.reading { try faiss.search(Self.normalized(feature), k: k)[0] }
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }
}

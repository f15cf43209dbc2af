import CTorch
import Foundation

/// A persistent faiss index of L2-normalised vectors searched by inner product (= cosine
/// similarity), each vector stored under a caller-chosen id: exact (faiss `IndexIDMap2` over
/// `IndexFlatIP`), or approximate (`IndexIVFFlat`: the vectors are split into `lists` cells
/// around k-means centres and a query scans only its `probes` nearest cells).
///
/// Searches may run on several threads at once; adding or removing must not overlap a search
/// (the caller holds a reader–writer lock, as `GalleryIndex` does).
public final class FaissIndex: @unchecked Sendable {
    let handle: OpaquePointer

    /// An empty index for `dimension`-long vectors.
    public init(dimension: Int) throws {
        guard dimension > 0, let h = ct_faiss_new(Int64(dimension)) else {
            throw TorchError.invalidArgument("faiss index: cannot create one of dimension \(dimension): \(String(cString: ct_last_error()))")
        }
        handle = h
    }

    /// An empty approximate (inverted-file) index with `lists` cells; `train` it before adding.
    public init(dimension: Int, lists: Int) throws {
        guard dimension > 0, lists > 0, let h = ct_faiss_new_ivf(Int64(dimension), Int64(lists)) else {
            throw TorchError.invalidArgument("faiss index: cannot create an inverted-file index of dimension \(dimension) with \(lists) lists: \(String(cString: ct_last_error()))")
        }
        handle = h
    }

    /// Reads an index `write(to:)` wrote.
    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw TorchError.file(path: path, reason: "no such faiss index file") }
        guard let h = ct_faiss_read(path) else { throw TorchError.file(path: path, reason: String(cString: ct_last_error())) }
        handle = h
    }

    deinit { ct_faiss_free(handle) }

    public var count: Int { Int(ct_faiss_count(handle)) }
    public var dimension: Int { Int(ct_faiss_dimension(handle)) }
    /// Cells of an approximate index; 0 for an exact one.
    public var lists: Int { Int(ct_faiss_lists(handle)) }
    public var isApproximate: Bool { lists > 0 }
    public var isTrained: Bool { ct_faiss_is_trained(handle) != 0 }

    /// Cells an approximate index scans per query (more: higher recall, slower); 0 for an exact index.
    /// Set it before searching, not while searches run.
    public var probes: Int {
        get { Int(ct_faiss_probes(handle)) }
        set { _ = ct_faiss_set_probes(handle, Int64(Swift.max(1, Swift.min(newValue, Swift.max(lists, 1))))) }
    }

    /// Trains an approximate index's cells on row-major vectors (k-means; faiss samples at most
    /// 256 per cell). At least `lists` vectors are needed.
    public func train(_ vectors: [Float]) throws {
        let d = dimension
        guard vectors.count % d == 0, vectors.count / d >= Swift.max(lists, 1) else {
            throw TorchError.invalidArgument("faiss train: \(vectors.count / Swift.max(d, 1)) vectors for \(lists) lists (need at least one per list)")
        }
        try check(ct_faiss_train(handle, vectors, Int64(vectors.count / d)))
    }

    /// Adds `ids.count` row-major vectors.
    public func add(_ vectors: [Float], ids: [Int64]) throws {
        guard vectors.count == ids.count * dimension else {
            throw TorchError.invalidArgument("faiss index: \(vectors.count) values for \(ids.count) vectors of \(dimension)")
        }
        if ids.isEmpty { return }
        try check(ct_faiss_add(handle, vectors, ids, Int64(ids.count)))
    }

    /// Removes `ids`; returns how many were present.
    @discardableResult
    public func remove(_ ids: [Int64]) throws -> Int {
        var removed: Int64 = 0
        try check(ct_faiss_remove(handle, ids, Int64(ids.count), &removed))
        return Int(removed)
    }

    /// The `k` most similar vectors to each query (row-major [n, d]), best first:
    /// per query up to k (id, similarity) pairs (fewer when the index holds fewer).
    public func search(_ queries: [Float], k: Int) throws -> [[(id: Int64, score: Float)]] {
        let d = dimension
        guard k >= 1, d > 0, queries.count % d == 0 else {
            throw TorchError.invalidArgument("faiss search: \(queries.count) values are not queries of \(d), or k \(k) < 1")
        }
        let n = queries.count / d
        var ids = [Int64](repeating: -1, count: n * k)
        var scores = [Float](repeating: 0, count: n * k)
        if n > 0 { try check(ct_faiss_search(handle, queries, Int64(n), Int64(k), &ids, &scores)) }
        return (0..<n).map { q in
            (0..<k).compactMap { j in ids[q * k + j] >= 0 ? (ids[q * k + j], scores[q * k + j]) : nil }
        }
    }

    /// Writes the index atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try AtomicWrite.write(to: path) { tmp in
            guard ct_faiss_write(handle, tmp) == 0 else {
                throw TorchError.file(path: path, reason: String(cString: ct_last_error()))
            }
        }
    }
}

import Foundation

/// When a gallery's faiss index turns approximate, and its shape then.
///
/// Up to `threshold` items the index is exact (one matrix product per query). From there it is an
/// inverted file (faiss IndexIVFFlat): k-means cells, each query scans only its nearest `probes`
/// cells. Chosen over HNSW and IVF-PQ by what a gallery needs: items are removed as well as added
/// (faiss's HNSW cannot remove), and PQ's compressed codes miss the 0.99 recall@10 that
/// `make bench` (search.json) checks without a second, exact pass.
public struct ApproximateSearchPlan: Equatable, Sendable {
    /// Items from which a gallery is indexed approximately: below it exact search is fast enough
    /// (about 20 ms per query at 100k items on 2 cores, 200 ms at 1M).
    public static let defaultThreshold = 100_000

    public var lists: Int
    public var probes: Int
    /// Vectors the cells are trained on (an even spread of the gallery).
    public var trainingItems: Int

    /// The plan for `items` vectors: about 4·√items cells (faiss's usual range is 4–16·√N), a
    /// power of two; 1/32 of them probed per query but never fewer than 64; 64 training vectors
    /// per cell. Measured on `reid bench search`'s clustered features (search.json): 1/32 gave
    /// recall@10 0.995 at 1M items (2,048 cells) but 0.985 at 100k (1,024 cells, about 100 items
    /// a cell), so small cells get more probes.
    public static func plan(items: Int) -> ApproximateSearchPlan {
        let target = 4 * Double(max(items, 1)).squareRoot()
        var lists = 64
        while Double(lists * 2) <= target { lists *= 2 }
        let probes = min(lists, max(64, lists / 32))
        return ApproximateSearchPlan(lists: lists, probes: probes, trainingItems: min(items, 64 * lists))
    }
}

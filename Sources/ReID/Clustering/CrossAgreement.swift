import Torch

/// PPLR's cross-agreement score: for each image and part, the Jaccard similarity
/// |N_g ∩ N_p| / |N_g ∪ N_p| of the k nearest neighbours (itself excluded) found with the global
/// feature and with that part's feature. Returns [N][P] scores in 0…1.
public enum CrossAgreement {
    public static func scores(global: Tensor, parts: [Tensor], k: Int = 20) throws -> [[Float]] {
        let n = global.size(0)
        let kk = min(k + 1, n)
        func lists(_ f: Tensor) throws -> [Int32] { try NearestNeighbours.search(f.normalized(dim: 1), k: kk) }
        let g = try lists(global)
        var out = [[Float]](repeating: [Float](repeating: 0, count: parts.count), count: n)
        for (p, part) in parts.enumerated() {
            let q = try lists(part)
            for i in 0..<n {
                // Drop each list's first entry (the image itself), as a ranked list of others.
                let a = Set(g[(i * kk + 1)..<((i + 1) * kk)]), b = Set(q[(i * kk + 1)..<((i + 1) * kk)])
                let union = a.union(b).count
                out[i][p] = union > 0 ? Float(a.intersection(b).count) / Float(union) : 0
            }
        }
        return out
    }
}

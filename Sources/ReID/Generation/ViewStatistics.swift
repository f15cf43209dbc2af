import Foundation

/// Numbers logged each epoch of a view-using run: how many views were clustered and trained on,
/// how often a clustered view landed in its original's cluster, and the combination weights.
enum ViewStatistics {
    static func values(_ views: ViewTraining, clustered: [Int], found: [Int],
                       training: [(index: Int, label: Int)]) throws -> [String: Double] {
        let pool = views.pool
        var labelOf: [Int: Int] = [:]
        for (i, l) in zip(clustered, found) { labelOf[i] = l }
        let clusteredViews = clustered.filter { $0 >= pool.originals && pool.kinds[$0] != .masked }
        let withOriginal = clusteredViews.filter { v in
            let l = labelOf[v] ?? -1
            return l >= 0 && l == labelOf[pool.origin[v]]
        }
        var out: [String: Double] = [
            "views_clustered": Double(clusteredViews.count),
            "views_trained": Double(training.filter { $0.index >= pool.originals }.count),
        ]
        if !clusteredViews.isEmpty { out["views_with_original"] = Double(withOriginal.count) / Double(clusteredViews.count) }
        if let combination = views.combination {
            let w = try combination.weightValues()
            out["w_original"] = w[0]
            out["w_mask"] = w[1]
        }
        return out
    }

    /// `views.json` in the run folder: what was used, for reports and the ablation table.
    static func describe(_ views: ViewTraining) -> [String: Any] {
        var out: [String: Any] = ["method": views.section.method, "strategy": views.strategy.name,
                                  "dir": views.viewSet.root, "angles": views.viewSet.angles,
                                  "originals": views.pool.originals,
                                  "views": views.pool.kinds.filter { if case .view = $0 { return true } else { return false } }.count,
                                  "summary": views.summary]
        if let combination = views.combination, let source = views.maskSource {
            out["combine"] = combination.learned ? "learned" : "fixed"
            out["weights"] = [views.section.originalWeight, views.section.maskWeight]
            out["mask_source"] = source.rawValue
        }
        return out
    }
}

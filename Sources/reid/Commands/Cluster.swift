import ArgumentParser
import Foundation
import ReID
import Torch

struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pseudo-label features: k-reciprocal Jaccard distance, then DBSCAN.",
        discussion: """
            The clustering step of unsupervised re-ID (SpCL, Cluster-Contrast,
            PPLR): features are L2-normalised, compared by the k-reciprocal
            Jaccard distance (k1, k2), and grouped by DBSCAN (eps, min-samples).
            Images in no cluster are outliers, labelled -1.

            Reads `features` [N, D] (and `cams` for --camera-norm and
            --camera-penalty, `pids` to score the clusters against true ids
            when present); writes `labels` [N].

            Example:
              reid cluster --features train.safetensors --eps 0.6 \\
                  --out labels.safetensors --json
            """
    )

    @Option(help: "Features file (safetensors with `features`).")
    var features: String

    @Option(help: "Output file for `labels`.")
    var out: String

    @Option var k1: Int = 30
    @Option var k2: Int = 6
    @Option(help: "DBSCAN neighbourhood radius on the Jaccard distance.")
    var eps: Double = 0.6
    @Option(help: "DBSCAN: neighbours (itself included) a core point needs.")
    var minSamples: Int = 4

    @Flag(help: "Normalise features per camera first (needs `cams`).")
    var cameraNorm = false

    @Option(help: ArgumentHelp(
        "Count same-camera pairs this much less cosine-similar when building the neighbourhoods (needs `cams`).",
        discussion: "With few cameras, clusters tend to stay inside one camera; 0.1 lets cross-camera neighbours in. 0: the published distance."))
    var cameraPenalty: Double = 0

    @Flag(help: "Print {clusters, outliers, seconds, …} as JSON.")
    var json = false

    func run() throws {
        Runtime.configure()
        guard cameraPenalty >= 0 else { throw ValidationError("--camera-penalty must be 0 or more") }
        let t = try Safetensors.load(features)
        guard let f = t["features"] else { throw ValidationError("\(features): has no `features` tensor") }
        let cams = try t["cams"]?.ints()
        if (cameraNorm || cameraPenalty > 0) && cams == nil {
            throw ValidationError("\(features): has no `cams` tensor, which --camera-norm and --camera-penalty need; extract with --data to get it")
        }
        let pids = try t["pids"]?.ints()
        let truth = pids.flatMap { p in p.allSatisfy { $0 >= 0 } ? p : nil }
        let labeling = PseudoLabeling(k1: k1, k2: k2, eps: Float(eps), minSamples: minSamples,
                                      cameraNormalization: cameraNorm, cameraPenalty: Float(cameraPenalty))
        let result = try labeling.run(features: f, cameras: cams, truth: truth)
        try Safetensors.save(["labels": try Tensor(result.labels.map(Int64.init))], to: out)
        let s = result.statistics
        if json {
            var o: [String: Any] = ["clusters": s.clusters, "outliers": s.outliers, "seconds": result.seconds,
                                    "images": result.labels.count, "largest_cluster": s.largest,
                                    "phase_seconds": result.phaseSeconds]
            if let ari = s.ari { o["ari_vs_ids"] = ari }
            if let nmi = s.nmi { o["nmi_vs_ids"] = nmi }
            try printJSON(o)
        } else {
            var line = String(format: "%d clusters, %d outliers of %d images in %.1f s", s.clusters, s.outliers,
                              result.labels.count, result.seconds)
            if let ari = s.ari, let nmi = s.nmi { line += String(format: " (ARI %.3f, NMI %.3f against the ids)", ari, nmi) }
            print(line + " → \(out)")
        }
    }
}

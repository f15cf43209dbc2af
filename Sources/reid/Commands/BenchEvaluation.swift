import ArgumentParser
import Foundation
import ReID
import Torch

struct BenchRerank: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Time k-reciprocal re-ranking of a features file (query_features, gallery_features).",
        discussion: """
            Loads the features, then times only the re-ranking (distances,
            neighbour lists, sparse encodings, Jaccard). Peak memory is best read
            by the caller (e.g. from getrusage of the child process).
            """
    )

    @Option(help: "Features file with query_features and gallery_features.")
    var features: String

    @Option var k1: Int = 20
    @Option var k2: Int = 6
    @Option var lambda: Double = 0.3
    @Option(help: "Rows of the distance matrix computed at once (memory grows with it).")
    var blockRows = 2048

    @Option(help: "Also write the re-ranked distances as `distmat` to this file.")
    var out: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        Runtime.configure()
        let t = try Safetensors.load(features, only: ["query_features", "gallery_features"]).tensors
        let start = Date()
        var phases: [String: Double] = [:]
        var reranking = KReciprocalReranking(k1: k1, k2: k2, lambda: lambda)
        reranking.blockRows = blockRows
        let d = try reranking.distances(query: t["query_features"]!, gallery: t["gallery_features"]!, phaseSeconds: &phases)
        let seconds = Date().timeIntervalSince(start)
        if let out {
            try Safetensors.save(["distmat": try Tensor(d, shape: [t["query_features"]!.size(0), t["gallery_features"]!.size(0)])],
                                 to: out)
        }
        if json {
            try printJSON(["seconds": seconds, "phase_seconds": phases, "blas_kernels": BLASKernels.current ?? "not OpenBLAS",
                           "query": t["query_features"]!.size(0), "gallery": t["gallery_features"]!.size(0)])
        } else {
            print(String(format: "re-ranking took %.2f s", seconds))
        }
    }
}

struct BenchEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Time the Market-1501 metrics on a distance-matrix file.",
        discussion: "Loads `distmat` and the id/camera tensors, then times only the metric computation."
    )

    @Option(help: "Distance-matrix file.")
    var distmat: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        Runtime.configure()
        let (d, labels) = try EvaluationInputs.loadDistances(distmat)
        let start = Date()
        let m = try RankingMetrics.evaluate(distances: d, labels: labels)
        let seconds = Date().timeIntervalSince(start)
        if json {
            var out: [String: Any] = m.summary
            out["seconds"] = seconds
            try printJSON(out)
        } else {
            print(String(format: "metrics in %.3f s: Rank-1 %.4f mAP %.4f", seconds, m.rank1, m.mAP))
        }
    }
}

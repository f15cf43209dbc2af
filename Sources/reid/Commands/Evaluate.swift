import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
import Torch

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank-1/5/10, mAP and mINP under the Market-1501 protocol.",
        discussion: """
            For each query, gallery images of the same identity from the same
            camera are ignored, and queries with no true match left are skipped,
            exactly as fast-reid's eval_market1501 does. Numbers are fractions
            with --json (0.3316 = 33.16 %), percentages otherwise.

            Inputs (give one):
              --features FILE  query_features, gallery_features, query_pids,
                               gallery_pids, query_cams, gallery_cams — or the
                               file `reid extract --data` writes
              --distmat FILE   distmat [Q, G] plus the four id/camera tensors
              --data DIR       extract with --model/--weights or --run, then evaluate

            Examples:
              reid evaluate --features cuhk03.safetensors --json
              reid evaluate --features cuhk03.safetensors --rerank \\
                  --k1 20 --k2 6 --lambda 0.3
              reid evaluate --data data/cuhk03-pair1 \\
                  --model onnx:osnet_x0_25_msmt17.onnx
              reid evaluate --data data/cuhk03-pair1 --run runs/adapted --report out/eval
            """
    )

    @Option(help: "Features file (safetensors).")
    var features: String?

    @Option(help: "Distance-matrix file (safetensors).")
    var distmat: String?

    @Option(name: [.customLong("data"), .customLong("dataset")],
            help: "Dataset root (any layout with query/gallery); needs --model or --run. --dataset is the old name.")
    var dataset: String?

    @Option(help: "With --data: its layout (market, duke, msmt17, cuhk03-labeled, cuhk03-detected, csv); detected when omitted.")
    var format: String?

    @OptionGroup(title: "With --data: the model")
    var modelOptions: ModelOptions

    @Option(help: "With --data: images per model batch.")
    var batch: Int = FeatureExtractor.defaultBatchSize

    @OptionGroup(title: "With --data: where the model runs") var deviceOption: DeviceOption
    @OptionGroup(title: "With --data: precision") var precisionOption: PrecisionOption

    @Option(help: "Distance: cosine (features L2-normalised first) or euclidean.")
    var metric: DistanceMetric = .cosine

    @Flag(help: "Normalise features per camera (subtract the camera's mean, divide by its std) first.")
    var cameraNorm = false

    @Flag(help: "Apply k-reciprocal re-ranking.")
    var rerank = false

    @Option(help: "Re-ranking: k1 (neighbours of the k-reciprocal sets).")
    var k1: Int = 20

    @Option(help: "Re-ranking: k2 (neighbours of the local query expansion).")
    var k2: Int = 6

    @Option(help: "Re-ranking: weight λ of the original distance.")
    var lambda: Double = 0.3

    @Flag(help: "Print {rank1, rank5, rank10, mAP, mINP} as JSON fractions.")
    var json = false

    @Option(help: "Write report.html (metrics, CMC curve, ranked lists) into this folder.")
    var report: String?

    @Option(help: "With --report: number of queries drawn with their top-10.")
    var rankedQueries: Int = 10

    @Option(help: "With --report: which queries are drawn: first (in query order), worst (lowest average precision first) or random (seeded).")
    var ranked: String = "first"


    func validate() throws {
        guard [features, distmat, dataset].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --features FILE, --distmat FILE or --data DIR")
        }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        guard ["first", "worst", "random"].contains(ranked) else {
            throw ValidationError("--ranked must be first, worst or random, not '\(ranked)'")
        }
        if dataset != nil && !modelOptions.isGiven { throw ValidationError("--data needs --model (with --weights) or --run") }
        if distmat != nil && (rerank || cameraNorm) {
            throw ValidationError("--rerank and --camera-norm need features; --distmat holds distances only")
        }
    }

    func run() throws {
        Runtime.configure()
        let metrics: RankingMetrics
        if let distmat {
            let (d, labels) = try EvaluationInputs.loadDistances(distmat)
            metrics = try RankingMetrics.evaluate(distances: d, labels: labels)
        } else {
            let inputs = try loadInputs()
            let evaluator = Evaluator(metric: metric, cameraNormalization: cameraNorm,
                                      reranking: rerank ? KReciprocalReranking(k1: k1, k2: k2, lambda: lambda) : nil)
            let result = try evaluator.evaluate(query: inputs.query, gallery: inputs.gallery, labels: inputs.labels)
            metrics = result.metrics
            if let report { try writeReport(report, inputs: inputs, result: result, evaluator: evaluator) }
        }
        if json {
            try printJSON(metrics.summary)
        } else {
            print(String(format: "Rank-1 %.2f%%  Rank-5 %.2f%%  Rank-10 %.2f%%  mAP %.2f%%  mINP %.2f%%  (%d of %d queries have a true match)",
                         metrics.rank1 * 100, metrics.rank5 * 100, metrics.rank10 * 100, metrics.mAP * 100,
                         metrics.mINP * 100, metrics.validQueries, metrics.totalQueries))
        }
    }

    /// The page shows the plain metrics, plus re-ranked ones when asked for; ranked lists use
    /// the distances the headline metrics came from.
    func writeReport(_ folder: String, inputs: EvaluationInputs, result: Evaluator.Result, evaluator: Evaluator) throws {
        var plain = result
        if evaluator.reranking != nil {
            var noRerank = evaluator
            noRerank.reranking = nil
            plain = try noRerank.evaluate(query: inputs.query, gallery: inputs.gallery, labels: inputs.labels)
        }
        let haveImages = inputs.queryRecords != nil && inputs.galleryRecords != nil
        let query = inputs.queryRecords ?? zip(inputs.labels.queryPids, inputs.labels.queryCams).map {
            ImageRecord(path: "", pid: $0, camera: $1)
        }
        let gallery = inputs.galleryRecords ?? zip(inputs.labels.galleryPids, inputs.labels.galleryCams).map {
            ImageRecord(path: "", pid: $0, camera: $1)
        }
        var notes = ["Distance: \(metric.rawValue)" + (cameraNorm ? ", camera-normalised features" : "") + "."]
        if rerank { notes.append("Re-ranking: k1 \(k1), k2 \(k2), λ \(lambda).") }
        if dataset != nil, let chosen = try? modelOptions.resolve() {
            notes.append("Model: \(chosen.spec)" + (chosen.weights.map { ", weights \($0)" } ?? "")
                         + ", input \(chosen.size.height)x\(chosen.size.width).")
        }
        if !haveImages { notes.append("The features file names no images, so no ranked lists are drawn.") }
        let page = try EvaluationReport(title: "SwiftReID evaluation: \(features ?? dataset ?? "")", metrics: plain.metrics,
                                        distances: plain.distances, query: query, gallery: gallery,
                                        rerankedMetrics: rerank ? result.metrics : nil, notes: notes)
            .write(to: folder, rankedQueries: haveImages ? rankedQueries : 0,
                   selection: ranked == "worst" ? .worst : ranked == "random" ? .seededSample(seed: 0) : .first)
        FileHandle.standardError.write(Data("report: \(page)\n".utf8))
    }

    func loadInputs() throws -> EvaluationInputs {
        if let features { return try EvaluationInputs.load(features: features) }
        let layout = try format.map { try DatasetLayout(format: $0) }
        let data = try DatasetLayout.load(dataset!, format: layout,
                                          options: DatasetOptions(splits: [.query, .gallery], optionalSplits: []))
        let chosen = try modelOptions.resolve()
        let device = try deviceOption.resolve()
        let loaded = try LoadedModel.load(chosen.spec, weights: chosen.weights, device: device,
                                          precision: precisionOption.resolve(on: device))
        let extractor = FeatureExtractor(height: chosen.size.height, width: chosen.size.width, batchSize: batch, device: device)
        let records = data[.query] + data[.gallery]
        let all = try extractor.extract(paths: records.map(\.path), progress: Progress(total: records.count, label: "extract"),
                                        embed: loaded.embed)
        let nq = data[.query].count
        let labels = try EvaluationLabels(queryPids: data[.query].map(\.pid), galleryPids: data[.gallery].map(\.pid),
                                          queryCams: data[.query].map(\.camera), galleryCams: data[.gallery].map(\.camera))
        return EvaluationInputs(query: try all.narrow(dim: 0, start: 0, length: nq),
                                gallery: try all.narrow(dim: 0, start: nq, length: records.count - nq), labels: labels,
                                queryRecords: data[.query], galleryRecords: data[.gallery])
    }
}

extension DistanceMetric: ExpressibleByArgument {}

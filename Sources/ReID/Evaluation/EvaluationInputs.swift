import Foundation
import Torch

/// Query and gallery features with their labels, read from a features file. Two layouts are
/// accepted: the evaluation layout (`query_features`, `gallery_features`, `query_pids`,
/// `gallery_pids`, `query_cams`, `gallery_cams`) and the one `reid extract --dataset` writes
/// (`features`, `pids`, `cams`, `split` with 1 = query, 2 = gallery).
public struct EvaluationInputs {
    public var query: Tensor
    public var gallery: Tensor
    public var labels: EvaluationLabels
    /// Image records when the file names them (for ranked-list reports).
    public var queryRecords: [ImageRecord]?
    public var galleryRecords: [ImageRecord]?

    public init(query: Tensor, gallery: Tensor, labels: EvaluationLabels,
                queryRecords: [ImageRecord]? = nil, galleryRecords: [ImageRecord]? = nil) {
        self.query = query
        self.gallery = gallery
        self.labels = labels
        self.queryRecords = queryRecords
        self.galleryRecords = galleryRecords
    }

    static let evaluationKeys = ["query_features", "gallery_features", "query_pids", "gallery_pids", "query_cams",
                                 "gallery_cams"]

    public static func load(features path: String) throws -> EvaluationInputs {
        let (t, metadata) = try Safetensors.load(path, only: nil)
        if evaluationKeys.allSatisfy({ t[$0] != nil }) {
            let labels = try checkedLabels(t, path: path, prefix: "")
            return EvaluationInputs(query: t["query_features"]!, gallery: t["gallery_features"]!, labels: labels)
        }
        guard let features = t["features"], let pids = t["pids"], let cams = t["cams"], let split = t["split"] else {
            let missing = evaluationKeys.filter { t[$0] == nil }
            throw ReIDError.data(path: path, reason: "lacks \(missing.joined(separator: ", ")) (or features/pids/cams/split "
                                 + "as `reid extract --dataset` writes them)")
        }
        let s = try split.ints(), p = try pids.ints(), c = try cams.ints()
        guard features.rank == 2, s.count == features.size(0), p.count == s.count, c.count == s.count else {
            throw ReIDError.data(path: path, reason: "features \(features.shape), pids \(p.count), cams \(c.count) and split \(s.count) disagree in length")
        }
        let q = s.indices.filter { s[$0] == 1 }, g = s.indices.filter { s[$0] == 2 }
        guard !q.isEmpty, !g.isEmpty else {
            throw ReIDError.data(path: path, reason: "has no query or no gallery rows (extract with --split query,gallery)")
        }
        var queryRecords: [ImageRecord]? = nil, galleryRecords: [ImageRecord]? = nil
        if let json = metadata["paths"], let paths = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String],
            paths.count == s.count
        {
            queryRecords = q.map { ImageRecord(path: paths[$0], pid: p[$0], camera: c[$0]) }
            galleryRecords = g.map { ImageRecord(path: paths[$0], pid: p[$0], camera: c[$0]) }
        }
        let labels = try EvaluationLabels(queryPids: q.map { p[$0] }, galleryPids: g.map { p[$0] },
                                          queryCams: q.map { c[$0] }, galleryCams: g.map { c[$0] })
        return EvaluationInputs(query: try features.rows(q), gallery: try features.rows(g), labels: labels,
                                queryRecords: queryRecords, galleryRecords: galleryRecords)
    }

    /// Labels from `query_pids` etc., checked against a row count.
    static func checkedLabels(_ t: [String: Tensor], path: String, prefix: String) throws -> EvaluationLabels {
        do {
            return try EvaluationLabels(queryPids: t["query_pids"]!.ints(), galleryPids: t["gallery_pids"]!.ints(),
                                        queryCams: t["query_cams"]!.ints(), galleryCams: t["gallery_cams"]!.ints())
        } catch let error as ReIDError {
            throw ReIDError.data(path: path, reason: error.description)
        }
    }

    /// A distance-matrix file: `distmat` [Q, G] and the four id/camera tensors.
    public static func loadDistances(_ path: String) throws -> (distances: [Float], labels: EvaluationLabels) {
        let t = try Safetensors.load(path)
        let needed = ["distmat", "query_pids", "gallery_pids", "query_cams", "gallery_cams"]
        let missing = needed.filter { t[$0] == nil }
        guard missing.isEmpty else { throw ReIDError.data(path: path, reason: "lacks \(missing.joined(separator: ", "))") }
        let labels = try checkedLabels(t, path: path, prefix: "")
        let d = t["distmat"]!
        guard d.shape == [labels.queryPids.count, labels.galleryPids.count] else {
            throw ReIDError.data(path: path, reason: "distmat is \(d.shape) but there are \(labels.queryPids.count) "
                                 + "query and \(labels.galleryPids.count) gallery labels")
        }
        return (try d.to(.float32).contiguous().floats(), labels)
    }
}

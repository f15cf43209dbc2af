import Foundation
import Torch

/// A features file: `features` [N, D] float32, `pids` and `cams` [N] int64 (−1 when unknown),
/// optionally `split` [N] (0 train, 1 query, 2 gallery); the image names are a JSON array in the
/// safetensors metadata under "names" (and the full paths under "paths").
public struct FeatureFile {
    public var features: Tensor
    public var records: [ImageRecord]
    public var splits: [Int]?

    public init(features: Tensor, records: [ImageRecord], splits: [Int]? = nil) {
        self.features = features
        self.records = records
        self.splits = splits
    }

    public func save(to path: String, metadata extra: [String: String] = [:]) throws {
        var tensors: [String: Tensor] = [
            "features": try features.to(.float32),
            "pids": try Tensor(records.map { Int64($0.pid) }),
            "cams": try Tensor(records.map { Int64($0.camera) }),
        ]
        if let splits { tensors["split"] = try Tensor(splits.map(Int64.init)) }
        let names = try JSONSerialization.data(withJSONObject: records.map(\.name))
        let paths = try JSONSerialization.data(withJSONObject: records.map(\.path))
        var metadata = extra
        metadata["names"] = String(decoding: names, as: UTF8.self)
        metadata["paths"] = String(decoding: paths, as: UTF8.self)
        metadata["swiftreid_version"] = ReIDVersion.string
        try Safetensors.save(tensors, to: path, metadata: metadata)
    }
}

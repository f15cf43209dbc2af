import Foundation
import Torch

/// The generator's training images held in memory, decoded once at the generator's size
/// (ImageNet-normalised [N, 3, H, W]), the frozen identity encoder's L2-normalised features of
/// each, and their appearance codes (`ViewGenerator.appearanceCode`). The encoder never changes
/// during generator training, so the appearance of every real image is computed once instead of
/// three encoder passes per step; only generated images still go through the encoder (for the
/// identity losses). 7,239 images at 128×64 take about 0.7 GB.
public struct GeneratorData {
    public let images: Tensor
    public let features: Tensor
    public let codes: Tensor
    public var count: Int { images.size(0) }

    public static func load(records: [ImageRecord], height: Int, width: Int, encoder: ReIDModel,
                            device: Device, verbose: Bool) throws -> GeneratorData {
        encoder.eval()
        let loader = BatchLoader(paths: records.map(\.path), height: height, width: width, batchSize: 64)
        let progress = verbose ? Progress(total: records.count, label: "generator images") : nil
        var images: [Tensor] = [], features: [Tensor] = []
        try withNoGrad {
            try loader.forEachBatch { _, batch in
                images.append(batch)
                features.append(try encoder(batch.to(device)).embedding.normalized(dim: 1).to(.cpu))
                progress?.advance(batch.size(0))
            }
        }
        return try GeneratorData(images: Tensor.cat(images, dim: 0).to(device), features: Tensor.cat(features, dim: 0).to(device))
    }

    public init(images: Tensor, features: Tensor) throws {
        self.images = images
        self.features = features
        codes = try withNoGrad { try ViewGenerator.appearanceCode(feature: features, normalised: images) }
    }

    /// Appearance codes of `indices`, in order (no image copied).
    public func codes(_ indices: [Int]) throws -> Tensor {
        try codes.indexSelect(dim: 0, index: Tensor(indices.map(Int64.init)).to(codes.device))
    }

    /// Images and appearance codes of `indices`, in order.
    public func batch(_ indices: [Int]) throws -> (images: Tensor, codes: Tensor) {
        let index = try Tensor(indices.map(Int64.init)).to(images.device)
        return (try images.indexSelect(dim: 0, index: index), try codes.indexSelect(dim: 0, index: index))
    }
}

import Foundation
import Torch

/// A learning-free baseline: the joint RGB histogram (8 bins per channel, 512-d) of the image
/// resized to the model input size, square-rooted (Hellinger) so cosine distance compares
/// distributions. If a dataset is easy for this, it does not test re-identification.
public enum ColorHistogram {
    public static let bins = 8

    /// Features [N, 512] for a batch of normalised images [N, 3, H, W] (ImageNet mean/std).
    public static func features(_ batch: Tensor) throws -> Tensor {
        let mean = try Tensor(ImageLoading.imagenetMean, shape: [1, 3, 1, 1])
        let std = try Tensor(ImageLoading.imagenetStd, shape: [1, 3, 1, 1])
        // Undo the normalisation, quantise each channel to 0..<bins, combine into one bin index.
        let pixels = try (batch * std + mean).clamp(min: 0, max: 0.999_999)
        let q = try (pixels * Double(bins)).floor().to(.int64)
        let channels = try q.chunk(3, dim: 1)
        let index = try (channels[0] * Double(bins * bins) + channels[1] * Double(bins) + channels[2]).to(.int64).flatten(from: 1)
        let n = batch.size(0), cells = bins * bins * bins
        let ones = try Tensor.ones(index.shape)
        let histogram = try Tensor.zeros([n, cells]).scatterAdd(dim: 1, index: index, source: ones)
        return try (histogram / Double(index.size(1))).sqrt()
    }
}

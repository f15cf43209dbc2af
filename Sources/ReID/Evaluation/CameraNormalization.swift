import Torch

/// Camera-guided feature normalisation: within each camera, subtract that camera's mean feature
/// and divide by its standard deviation (per dimension), so features from different cameras
/// share one distribution. Used before clustering and, optionally, before evaluation.
public enum CameraNormalization {
    /// Normalised copy of `features` [N, D]; `cameras` holds N camera ids.
    public static func apply(_ features: Tensor, cameras: [Int], eps: Double = 1e-6) throws -> Tensor {
        guard features.rank == 2, features.size(0) == cameras.count else {
            throw ReIDError.invalidOption("camera normalisation: \(cameras.count) camera ids for features \(features.shape)")
        }
        var parts: [Tensor] = []
        var order: [Int] = []
        for camera in Set(cameras).sorted() {
            let rows = cameras.indices.filter { cameras[$0] == camera }
            let block = try features.rows(rows)
            let mean = try block.mean(dim: 0, keepDim: true)
            // A camera with one image has no spread: only centre it.
            let std = rows.count > 1 ? try block.std(dims: [0], unbiased: false, keepDim: true) + eps : nil
            let centred = try block - mean
            parts.append(try std.map { try centred / $0 } ?? centred)
            order += rows
        }
        // Put rows back in their original order.
        var inverse = [Int](repeating: 0, count: order.count)
        for (position, row) in order.enumerated() { inverse[row] = position }
        return try Tensor.cat(parts, dim: 0).rows(inverse)
    }
}

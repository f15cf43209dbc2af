import Torch

/// The re-ID model's embedding of each person a detector found in a frame, for linking tracks by
/// appearance: every box cropped (clipped to the frame), resized to the model's input, scaled to
/// 0…1 and normalised with the ImageNet mean/std, as extraction does for image files.
public struct CropEmbedder {
    public let model: LoadedModel
    public let height: Int
    public let width: Int

    public init(model: LoadedModel, height: Int, width: Int) {
        self.model = model
        self.height = height
        self.width = width
    }

    /// One L2-normalised feature per box, in box order. A box wholly outside the frame gets a
    /// zero vector, which matches no track.
    public func embed(_ frame: Image, boxes: [DetectionBox]) throws -> [[Float]] {
        guard !boxes.isEmpty else { return [] }
        var inputs: [Tensor] = []
        var inside: [Int] = []
        for (i, box) in boxes.enumerated() {
            guard let crop = frame.cropped(x: Int(box.x.rounded()), y: Int(box.y.rounded()),
                                           width: Int(box.width.rounded()), height: Int(box.height.rounded())) else { continue }
            inputs.append(try crop.resized(height: height, width: width).tensor())
            inside.append(i)
        }
        guard !inputs.isEmpty else { return boxes.map { _ in [] } }
        let mean = try Tensor(ImageLoading.imagenetMean, shape: [1, 3, 1, 1])
        let std = try Tensor(ImageLoading.imagenetStd, shape: [1, 3, 1, 1])
        let features = try withNoGrad {
            try model.embed((Tensor.cat(inputs, dim: 0) - mean) / std).normalized(dim: 1)
        }
        let d = features.size(1)
        let flat = try features.contiguous().toArray(Float.self)
        var out = [[Float]](repeating: [Float](repeating: 0, count: d), count: boxes.count)
        for (row, i) in inside.enumerated() { out[i] = Array(flat[(row * d)..<((row + 1) * d)]) }
        return out
    }
}

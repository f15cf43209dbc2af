import Torch

/// The re-ID model's embedding of each person a detector found in a frame, for linking tracks by
/// appearance: every box cropped (clipped to the frame), resized to the model's input and
/// normalised with the ImageNet mean/std, as extraction does for image files.
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
        // Normalised exactly as training inputs are (`Normalize`), one crop after another.
        let normalize = Normalize()
        var crop = [Float](repeating: 0, count: 3 * height * width)
        var values: [Float] = []
        var inside: [Int] = []
        for (i, box) in boxes.enumerated() {
            guard let pixels = frame.cropped(x: Int(box.x.rounded()), y: Int(box.y.rounded()),
                                             width: Int(box.width.rounded()), height: Int(box.height.rounded())) else { continue }
            normalize.write(try pixels.resized(height: height, width: width), into: &crop)
            values += crop
            inside.append(i)
        }
        guard !inside.isEmpty else { return boxes.map { _ in [] } }
        let batch = try Tensor(values, shape: [inside.count, 3, height, width])
        let features = try withNoGrad { try model.embed(batch).normalized(dim: 1) }
        let d = features.size(1)
        let flat = try features.contiguous().toArray(Float.self)
        var out = [[Float]](repeating: [Float](repeating: 0, count: d), count: boxes.count)
        for (row, i) in inside.enumerated() { out[i] = Array(flat[(row * d)..<((row + 1) * d)]) }
        return out
    }
}

import Torch

/// Turns an 8-bit HWC image into the network's input: CHW floats (x/255 − mean) / std per
/// channel, ImageNet statistics by default (what every pretrained backbone here expects).
public struct Normalize: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float] = ImageLoading.imagenetMean, std: [Float] = ImageLoading.imagenetStd) {
        precondition(mean.count == std.count && !mean.isEmpty, "mean and std need one value per channel")
        self.mean = mean
        self.std = std
    }

    public func apply(_ image: Image) -> FloatImage {
        var out = FloatImage(channels: image.channels, height: image.height, width: image.width)
        write(image, into: &out.values)
        return out
    }

    /// Writes the CHW values of `image` into `destination` (channels × height × width floats).
    public func write(_ image: Image, into destination: inout [Float]) {
        let c = image.channels, plane = image.height * image.width
        precondition(destination.count == c * plane)
        for k in 0..<c {
            let m = mean[min(k, mean.count - 1)], s = std[min(k, std.count - 1)]
            let scale = 1 / (255 * s), shift = -m / s
            for i in 0..<plane { destination[k * plane + i] = Float(image.pixels[i * c + k]) * scale + shift }
        }
    }

    /// The 8-bit image back from normalised values (rounded, clamped), for looking at a batch.
    public func image(from float: FloatImage) -> Image {
        let c = float.channels, plane = float.height * float.width
        var pixels = [UInt8](repeating: 0, count: c * plane)
        for k in 0..<c {
            let m = mean[min(k, mean.count - 1)], s = std[min(k, std.count - 1)]
            for i in 0..<plane {
                let v = (float.values[k * plane + i] * s + m) * 255
                pixels[i * c + k] = UInt8(min(max(v.rounded(), 0), 255))
            }
        }
        return Image(height: float.height, width: float.width, channels: c, pixels: pixels)
    }
}

import Torch

/// Bilinear resize to a fixed height × width (OpenCV INTER_LINEAR, as the evaluation loader).
public struct Resize: ImageTransform {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public func apply(_ image: Image, using rng: inout SeededRandom) throws -> Image {
        if image.height == height && image.width == width { return image }
        return try image.resized(height: height, width: width)
    }
}

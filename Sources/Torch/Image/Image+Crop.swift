/// Cropping: a copy of a rectangle of the image, clipped to its bounds.
extension Image {
    /// The pixels of the rectangle (x, y, width, height) that lie inside the image; nil when
    /// nothing does.
    public func cropped(x: Int, y: Int, width: Int, height: Int) -> Image? {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(self.width, x + width), y1 = min(self.height, y + height)
        guard x1 > x0, y1 > y0 else { return nil }
        let rowBytes = (x1 - x0) * channels
        var out = [UInt8](repeating: 0, count: (y1 - y0) * rowBytes)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in y0..<y1 {
                    let from = (r * self.width + x0) * channels
                    let to = (r - y0) * rowBytes
                    dst.baseAddress!.advanced(by: to).update(from: src.baseAddress!.advanced(by: from), count: rowBytes)
                }
            }
        }
        return Image(height: y1 - y0, width: x1 - x0, channels: channels, pixels: out)
    }
}

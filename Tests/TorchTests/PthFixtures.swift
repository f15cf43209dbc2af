import Foundation
@testable import Torch

/// Writes pickle opcodes by hand, so the reader is tested without Python.
final class PickleBuilder {
    private(set) var bytes: [UInt8]

    init(protocol version: UInt8 = 2) { bytes = [0x80, version] }

    @discardableResult func op(_ code: UInt8) -> Self { bytes.append(code); return self }
    @discardableResult func raw(_ more: [UInt8]) -> Self { bytes += more; return self }
    @discardableResult func le<I: FixedWidthInteger>(_ value: I) -> Self {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        return self
    }

    @discardableResult func mark() -> Self { op(0x28) }
    @discardableResult func string(_ s: String) -> Self { op(0x58).le(UInt32(s.utf8.count)).raw(Array(s.utf8)) }
    @discardableResult func int(_ i: Int) -> Self {
        switch i {
        case 0...0xFF: return op(0x4B).raw([UInt8(i)])
        case 0...0xFFFF: return op(0x4D).le(UInt16(i))
        default: return op(0x4A).le(Int32(i))
        }
    }
    @discardableResult func global(_ module: String, _ name: String) -> Self {
        op(0x63).raw(Array("\(module)\n\(name)\n".utf8))
    }
    @discardableResult func tuple(_ ints: [Int]) -> Self {
        mark()
        ints.forEach { int($0) }
        return op(0x74)
    }
    @discardableResult func emptyDict() -> Self { op(0x7D) }
    @discardableResult func setItems() -> Self { op(0x75) }
    @discardableResult func setItem() -> Self { op(0x73) }
    @discardableResult func reduce() -> Self { op(0x52) }
    @discardableResult func stop() -> Self { op(0x2E) }

    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`
    /// on the storage `('storage', torch.<type>, key, 'cpu', numel)`; `legacy` adds the sixth
    /// field of legacy files, view metadata: None, or `view` as `(view_key, offset, numel)`.
    @discardableResult func tensor(type: String = "FloatStorage", key: String, numel: Int, offset: Int = 0,
                                   size: [Int], stride: [Int], legacy: Bool = false,
                                   view: (key: String, offset: Int, numel: Int)? = nil) -> Self {
        global("torch._utils", "_rebuild_tensor_v2").mark()
        mark().string("storage").global("torch", type).string(key).string("cpu").int(numel)
        if let view {
            mark().string(view.key).int(view.offset).int(view.numel).op(0x74)
        } else if legacy {
            op(0x4E)
        }
        op(0x74).op(0x51)
        int(offset).tuple(size).tuple(stride).op(0x89)
        global("collections", "OrderedDict").op(0x29).reduce()
        return op(0x74).reduce()
    }
}

/// Writes zip archives with stored entries, like PyTorch's writer (optionally ZIP64).
struct ZipBuilder {
    struct Item {
        var name: String
        var data: [UInt8]
        var method: UInt16 = 0
    }
    var items: [Item] = []
    var zip64 = false
    /// Bytes of padding in each local header's extra field (PyTorch aligns data to 64 bytes).
    var localPadding = 0

    mutating func add(_ name: String, _ data: [UInt8], method: UInt16 = 0) {
        items.append(Item(name: name, data: data, method: method))
    }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        func le<I: FixedWidthInteger>(_ v: I) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        var offsets: [Int] = []
        for item in items {
            offsets.append(out.count)
            let crc = item.data.withUnsafeBytes { CRC32.checksum($0) }
            var extra: [UInt8] = []
            if zip64 {
                extra += [1, 0, 16, 0]
                withUnsafeBytes(of: UInt64(item.data.count).littleEndian) { extra += $0 }
                withUnsafeBytes(of: UInt64(item.data.count).littleEndian) { extra += $0 }
            }
            if localPadding > 0 { extra += [0x46, 0x42] + [UInt8(localPadding), 0] + [UInt8](repeating: 0x5A, count: localPadding) }
            le(UInt32(0x0403_4b50)); le(UInt16(45)); le(UInt16(0)); le(item.method); le(UInt32(0))
            le(crc)
            le(zip64 ? UInt32.max : UInt32(item.data.count)); le(zip64 ? UInt32.max : UInt32(item.data.count))
            le(UInt16(item.name.utf8.count)); le(UInt16(extra.count))
            out += Array(item.name.utf8) + extra + item.data
        }
        let directoryStart = out.count
        for (item, offset) in zip(items, offsets) {
            let crc = item.data.withUnsafeBytes { CRC32.checksum($0) }
            var extra: [UInt8] = []
            if zip64 {
                extra += [1, 0, 24, 0]
                for v in [UInt64(item.data.count), UInt64(item.data.count), UInt64(offset)] {
                    withUnsafeBytes(of: v.littleEndian) { extra += $0 }
                }
            }
            le(UInt32(0x0201_4b50)); le(UInt16(45)); le(UInt16(45)); le(UInt16(0)); le(item.method); le(UInt32(0))
            le(crc)
            le(zip64 ? UInt32.max : UInt32(item.data.count)); le(zip64 ? UInt32.max : UInt32(item.data.count))
            le(UInt16(item.name.utf8.count)); le(UInt16(extra.count)); le(UInt16(0)); le(UInt16(0)); le(UInt16(0))
            le(UInt32(0)); le(zip64 ? UInt32.max : UInt32(offset))
            out += Array(item.name.utf8) + extra
        }
        let directorySize = out.count - directoryStart
        if zip64 {
            let recordStart = out.count
            le(UInt32(0x0606_4b50)); le(UInt64(44)); le(UInt16(45)); le(UInt16(45)); le(UInt32(0)); le(UInt32(0))
            le(UInt64(items.count)); le(UInt64(items.count)); le(UInt64(directorySize)); le(UInt64(directoryStart))
            le(UInt32(0x0706_4b50)); le(UInt32(0)); le(UInt64(recordStart)); le(UInt32(1))
        }
        le(UInt32(0x0605_4b50)); le(UInt16(0)); le(UInt16(0))
        le(zip64 ? UInt16.max : UInt16(items.count)); le(zip64 ? UInt16.max : UInt16(items.count))
        le(zip64 ? UInt32.max : UInt32(directorySize)); le(zip64 ? UInt32.max : UInt32(directoryStart))
        le(UInt16(0))
        return out
    }
}

extension Array where Element == Float {
    var littleEndianBytes: [UInt8] { flatMap { v -> [UInt8] in Swift.withUnsafeBytes(of: v.bitPattern.littleEndian) { [UInt8]($0) } } }
}

/// Writes files in the legacy `torch.save` layout: pickles of the magic number, protocol
/// version 1001, sys_info, the object and the storage keys, then each storage as an
/// 8-byte little-endian element count and its bytes.
enum LegacyPthBuilder {
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// `storages` in file order: key, element count as written, bytes. `keys` overrides the key list.
    static func build(_ object: PickleBuilder, storages: [(key: String, numel: Int, bytes: [UInt8])],
                      keys: [String]? = nil, version: Int = 1001) -> [UInt8] {
        let magicPickle = PickleBuilder().op(0x8A).raw([UInt8(magic.count)] + magic).stop()
        let versionPickle = PickleBuilder().int(version).stop()
        let sysInfo = PickleBuilder().emptyDict().mark()
        sysInfo.string("protocol_version").int(1001).string("little_endian").op(0x88)
        sysInfo.string("type_sizes").emptyDict().mark().string("short").int(2).string("int").int(4)
            .string("long").int(8).setItems()
        sysInfo.setItems().stop()
        let list = PickleBuilder().mark()
        (keys ?? storages.map(\.key)).forEach { list.string($0) }
        list.op(0x6C).stop()
        var out = magicPickle.bytes + versionPickle.bytes + sysInfo.bytes + object.bytes + list.bytes
        for storage in storages {
            withUnsafeBytes(of: UInt64(truncatingIfNeeded: storage.numel).littleEndian) { out += $0 }
            out += storage.bytes
        }
        return out
    }
}

// One import point for the jute reader and writer.

export { FrameReader, JuteError, JuteInput, maxPacketBytes } from "./jute-input.ts";
export { JuteOutput } from "./jute-output.ts";

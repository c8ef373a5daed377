//! POP3 framing on bytes: status lines, and multi-line responses ended by a lone "." with
//! dot-stuffing undone. CRLF or bare LF, 8-bit bytes passed through untouched, long lines fine.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// Longest status line accepted (RFC 1939 allows 512 bytes; a hostile server sends forever).
pub const MAX_STATUS_LINE: usize = 64 * 1024;

/// One line without its line ending, as bytes, at most `max` bytes long: a longer line is an
/// error, never an ever-growing buffer.
pub async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    timeout: Duration,
    max: usize,
) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    // One byte more than allowed tells a line of exactly `max` from a longer one.
    let limit = max.saturating_add(3) as u64;
    let n = tokio::time::timeout(
        timeout,
        (&mut *reader).take(limit).read_until(b'\n', &mut line),
    )
    .await
    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the server did not answer in time"))??;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    } else if line.len() as u64 >= limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a line longer than {max} bytes"),
        ));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

/// A multi-line response, whole or cut at the size limit.
#[derive(Debug, PartialEq, Eq)]
pub enum Multiline {
    /// Everything up to the lone ".".
    Whole(Vec<u8>),
    /// More than the limit: the first bytes (the headers, for a message), the rest unread, so
    /// the connection cannot be used any further.
    TooLarge(Vec<u8>),
}

/// The body of a multi-line response (after its +OK line): lines up to the lone ".", with a
/// leading "." removed from stuffed lines, joined with CRLF, ending with CRLF; at most `max`
/// bytes of it. Lines are taken straight from the reader's buffer (a line split across two
/// reads is the only one copied twice), and `timeout` bounds each wait for more bytes.
pub async fn read_multiline<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    timeout: Duration,
    max: usize,
) -> io::Result<Multiline> {
    let mut out = Vec::new();
    // The start of a line whose end has not arrived yet.
    let mut partial: Vec<u8> = Vec::new();
    loop {
        let buf = tokio::time::timeout(timeout, reader.fill_buf())
            .await
            .map_err(|_| {
                io::Error::new(io::ErrorKind::TimedOut, "the server did not answer in time")
            })??;
        if buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        let mut used = 0;
        let mut step = Step::More;
        while let Some(end) = buf[used..].iter().position(|&b| b == b'\n') {
            let piece = &buf[used..used + end];
            used += end + 1;
            step = if partial.is_empty() {
                take_line(piece, &mut out, max)
            } else {
                partial.extend_from_slice(piece);
                let line = std::mem::take(&mut partial);
                take_line(&line, &mut out, max)
            };
            if !matches!(step, Step::More) {
                break;
            }
        }
        if matches!(step, Step::More) {
            // No line end in the rest: keep it for the next read, within the same bound a
            // whole line has (the bytes left, plus a stuffing dot and CRLF).
            partial.extend_from_slice(&buf[used..]);
            used = buf.len();
            if partial.len() > max.saturating_sub(out.len()).saturating_add(3) {
                reader.consume(used);
                return Ok(Multiline::TooLarge(out));
            }
        }
        reader.consume(used);
        match step {
            Step::More => {}
            Step::End => return Ok(Multiline::Whole(out)),
            Step::Full => return Ok(Multiline::TooLarge(out)),
        }
    }
}

/// What one line did to a multi-line response.
enum Step {
    More,
    End,
    Full,
}

/// Adds one line (without its LF) to `out`, undoing dot-stuffing; the lone "." ends it.
fn take_line(line: &[u8], out: &mut Vec<u8>, max: usize) -> Step {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line == b"." {
        return Step::End;
    }
    let content = line.strip_prefix(b".").unwrap_or(line);
    let budget = max.saturating_sub(out.len());
    if out.len() + content.len() + 2 > max {
        out.extend_from_slice(&content[..budget.min(content.len())]);
        return Step::Full;
    }
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
    Step::More
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::BufReader;

    const T: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn dot_stuffing_and_terminator() -> io::Result<()> {
        let wire: &[u8] =
            b"Subject: x\r\n\r\n..leading dot\r\n..\r\n...two\r\nend\r\n.\r\nNEXT\r\n";
        let mut r = BufReader::new(wire);
        let body = read_multiline(&mut r, T, 1 << 20).await?;
        assert_eq!(
            body,
            Multiline::Whole(b"Subject: x\r\n\r\n.leading dot\r\n.\r\n..two\r\nend\r\n".to_vec())
        );
        assert_eq!(read_line(&mut r, T, 1024).await?, b"NEXT");
        Ok(())
    }

    #[tokio::test]
    async fn lines_split_across_reads_come_out_the_same() -> io::Result<()> {
        let wire: &[u8] =
            b"Subject: x\r\n\r\n..leading dot\r\n..\r\nbare\nlong line here\r\n.\r\n+OK next\r\n";
        let whole = read_multiline(&mut BufReader::new(wire), T, 1 << 20).await?;
        for capacity in 1..24 {
            let mut r = BufReader::with_capacity(capacity, wire);
            assert_eq!(
                read_multiline(&mut r, T, 1 << 20).await?,
                whole,
                "capacity {capacity}"
            );
            assert_eq!(read_line(&mut r, T, 1024).await?, b"+OK next");
        }
        Ok(())
    }

    #[tokio::test]
    async fn bare_lf_and_eight_bit_bytes() -> io::Result<()> {
        let wire: &[u8] = b"Subject: \xd6\xd0\xce\xc4\nbody \xff\xfe\n.\n";
        let mut r = BufReader::new(wire);
        let body = read_multiline(&mut r, T, 1 << 20).await?;
        assert_eq!(
            body,
            Multiline::Whole(b"Subject: \xd6\xd0\xce\xc4\r\nbody \xff\xfe\r\n".to_vec())
        );
        Ok(())
    }

    #[tokio::test]
    async fn long_lines_and_early_close() -> io::Result<()> {
        let mut wire = vec![b'x'; 200_000];
        wire.extend_from_slice(b"\r\n");
        let mut r = BufReader::new(&wire[..]);
        let err = read_multiline(&mut r, T, 1 << 20).await.err();
        assert_eq!(err.map(|e| e.kind()), Some(io::ErrorKind::UnexpectedEof));
        let mut r = BufReader::new(&wire[..]);
        assert_eq!(read_line(&mut r, T, 1 << 20).await?.len(), 200_000);
        Ok(())
    }

    #[tokio::test]
    async fn hostile_sizes_stop_at_the_limits() -> io::Result<()> {
        // A status line that never ends, and one that ends too late.
        let endless = vec![b'+'; 100_000];
        let mut r = BufReader::new(&endless[..]);
        let err = read_line(&mut r, T, MAX_STATUS_LINE).await.err();
        assert_eq!(err.map(|e| e.kind()), Some(io::ErrorKind::InvalidData));
        // A message larger than allowed: its first bytes come back, marked.
        let mut wire = b"Subject: big\r\n\r\n".to_vec();
        for _ in 0..1000 {
            wire.extend_from_slice(&[b'A'; 98]);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b".\r\n");
        let mut r = BufReader::new(&wire[..]);
        let Multiline::TooLarge(head) = read_multiline(&mut r, T, 10_000).await? else {
            panic!("not cut")
        };
        assert!(head.starts_with(b"Subject: big\r\n") && head.len() <= 10_000);
        // One long line past the limit is cut the same way.
        let mut wire = b"Subject: one line\r\n\r\n".to_vec();
        wire.extend_from_slice(&vec![b'B'; 50_000]);
        wire.extend_from_slice(b"\r\n.\r\n");
        let mut r = BufReader::new(&wire[..]);
        assert!(matches!(
            read_multiline(&mut r, T, 10_000).await?,
            Multiline::TooLarge(h) if h.starts_with(b"Subject: one line")
        ));
        // Exactly at the limit is whole.
        let wire = b"abc\r\n.\r\n";
        let mut r = BufReader::new(&wire[..]);
        assert_eq!(
            read_multiline(&mut r, T, 5).await?,
            Multiline::Whole(b"abc\r\n".to_vec())
        );
        Ok(())
    }
}

//! POP3 framing on bytes: status lines, and multi-line responses ended by a lone "." with
//! dot-stuffing undone. CRLF or bare LF, 8-bit bytes passed through untouched, long lines fine.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line without its line ending, as bytes.
pub async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    let n = tokio::time::timeout(timeout, reader.read_until(b'\n', &mut line))
        .await
        .map_err(|_| {
            io::Error::new(io::ErrorKind::TimedOut, "the server did not answer in time")
        })??;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

/// The body of a multi-line response (after its +OK line): lines up to the lone ".", with a
/// leading "." removed from stuffed lines, joined with CRLF, ending with CRLF.
pub async fn read_multiline<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = read_line(reader, timeout).await?;
        if line == b"." {
            return Ok(out);
        }
        let content = if line.first() == Some(&b'.') {
            &line[1..]
        } else {
            &line[..]
        };
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n");
    }
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
        let body = read_multiline(&mut r, T).await?;
        assert_eq!(
            body,
            b"Subject: x\r\n\r\n.leading dot\r\n.\r\n..two\r\nend\r\n".to_vec()
        );
        assert_eq!(read_line(&mut r, T).await?, b"NEXT");
        Ok(())
    }

    #[tokio::test]
    async fn bare_lf_and_eight_bit_bytes() -> io::Result<()> {
        let wire: &[u8] = b"Subject: \xd6\xd0\xce\xc4\nbody \xff\xfe\n.\n";
        let mut r = BufReader::new(wire);
        let body = read_multiline(&mut r, T).await?;
        assert_eq!(
            body,
            b"Subject: \xd6\xd0\xce\xc4\r\nbody \xff\xfe\r\n".to_vec()
        );
        Ok(())
    }

    #[tokio::test]
    async fn long_lines_and_early_close() -> io::Result<()> {
        let mut wire = vec![b'x'; 200_000];
        wire.extend_from_slice(b"\r\n");
        let mut r = BufReader::new(&wire[..]);
        let err = read_multiline(&mut r, T).await.err();
        assert_eq!(err.map(|e| e.kind()), Some(io::ErrorKind::UnexpectedEof));
        let mut r = BufReader::new(&wire[..]);
        assert_eq!(read_line(&mut r, T).await?.len(), 200_000);
        Ok(())
    }
}

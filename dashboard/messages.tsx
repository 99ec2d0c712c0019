// How every view says what happened: a refusal as an alert (read out at once), a success as a
// status (read out when the reader is free). Nothing is shown for null.

export function Refusal(props: { text: string | null; testId?: string }) {
  if (props.text === null) return null;
  return (
    <p class="error" role="alert" data-testid={props.testId}>
      {props.text}
    </p>
  );
}

export function Notice(props: { text: string | null }) {
  if (props.text === null) return null;
  return (
    <p class="notice" role="status" data-testid="notice">
      {props.text}
    </p>
  );
}

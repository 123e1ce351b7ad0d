declare module '@camunda/form-linting' {
  export class FormLinter {
    lint(form: string | object): { id?: string; message: string }[];
  }
}

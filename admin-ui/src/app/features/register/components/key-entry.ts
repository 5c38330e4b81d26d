import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { AttendeeKey } from '../../../core/attendee/attendee-key';

/** Lets an attendee who registered earlier (or on another device) paste their key. */
@Component({
  selector: 'app-key-entry',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule],
  template: `
    <form [formGroup]="form" (ngSubmit)="use()" class="row">
      <mat-form-field appearance="outline" class="grow" subscriptSizing="dynamic">
        <mat-label>Your event API key</mat-label>
        <input matInput type="password" autocomplete="off" formControlName="key" placeholder="aip_…" required />
      </mat-form-field>
      <button mat-flat-button type="submit">Use this key</button>
    </form>
  `,
  styles: `
    .grow {
      flex: 1 1 280px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class KeyEntry {
  private readonly attendee = inject(AttendeeKey);
  protected readonly form = new FormGroup({ key: new FormControl('', { nonNullable: true, validators: [Validators.required] }) });

  use(): void {
    const key = this.form.controls.key.value.trim();
    if (key) this.attendee.set(key);
  }
}
